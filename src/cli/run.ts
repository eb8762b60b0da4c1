/** Dispatches `warden` argv to a sub-command (one or two words). */
import { COMMANDS } from './commands/index.js';
import { UsageError, writeLine, type CliIO, type Command } from './command.js';

function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  const two = `${argv[0] ?? ''} ${argv[1] ?? ''}`;
  const byTwo = COMMANDS.find((c) => c.name === two);
  if (byTwo) return { command: byTwo, rest: argv.slice(2) };
  const byOne = COMMANDS.find((c) => c.name === argv[0]);
  if (byOne) return { command: byOne, rest: argv.slice(1) };
  return undefined;
}

function printHelp(io: CliIO): void {
  writeLine(io.stdout, 'usage: warden <command> [options]\n\ncommands:');
  for (const c of [...COMMANDS].sort((a, b) => a.name.localeCompare(b.name))) writeLine(io.stdout, `  ${c.name.padEnd(22)} ${c.summary}`);
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    const target = argv[0] === 'help' && argv.length > 1 ? findCommand(argv.slice(1)) : undefined;
    if (target) writeLine(io.stdout, target.command.usage);
    else printHelp(io);
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    writeLine(io.stderr, `unknown command \`${argv.slice(0, 2).join(' ')}\`; run \`warden help\``);
    return 2;
  }
  try {
    return await found.command.run(found.rest, io);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      writeLine(io.stderr, `${(error as Error).message}\n\n${found.command.usage}`);
      return 2;
    }
    writeLine(io.stderr, `warden ${found.command.name}: ${(error as Error).message}`);
    return 1;
  }
}
