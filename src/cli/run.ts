/** Dispatches `warden` argv to a sub-command (one, two or three words). */
import { COMMANDS } from './commands/index.js';
import { UsageError, writeLine, type CliIO, type Command } from './command.js';
import { wardenVersion } from './version.js';

const HELP_FLAGS = new Set(['--help', '-h']);

function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  // Three words for nested groups (`mcp tools list`).
  const three = `${argv[0] ?? ''} ${argv[1] ?? ''} ${argv[2] ?? ''}`;
  const byThree = COMMANDS.find((c) => c.name === three);
  if (byThree) return { command: byThree, rest: argv.slice(3) };
  const two = `${argv[0] ?? ''} ${argv[1] ?? ''}`;
  const byTwo = COMMANDS.find((c) => c.name === two);
  if (byTwo) return { command: byTwo, rest: argv.slice(2) };
  const byOne = COMMANDS.find((c) => c.name === argv[0]);
  if (byOne) return { command: byOne, rest: argv.slice(1) };
  return undefined;
}

function printHelp(io: CliIO, group?: string): void {
  writeLine(io.stdout, `usage: warden ${group ? `${group} <command>` : '<command>'} [options]\n\ncommands:`);
  const listed = COMMANDS.filter((c) => group === undefined || c.name.startsWith(`${group} `));
  for (const c of listed.sort((a, b) => a.name.localeCompare(b.name))) writeLine(io.stdout, `  ${c.name.padEnd(22)} ${c.summary}`);
  writeLine(io.stdout, '\n`warden COMMAND --help` shows a command\'s options; `warden --version` the version.');
}

/** `keys`, `audit`...: the first word of two-word commands. */
function isGroup(word: string | undefined): word is string {
  return word !== undefined && COMMANDS.some((c) => c.name.startsWith(`${word} `));
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    const target = argv[0] === 'help' && argv.length > 1 ? findCommand(argv.slice(1)) : undefined;
    if (target) writeLine(io.stdout, target.command.usage);
    else printHelp(io);
    return 0;
  }
  if (argv[0] === '--version' || argv[0] === '-V' || argv[0] === 'version') {
    writeLine(io.stdout, `warden ${wardenVersion()}`);
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    // A group alone (`warden keys`) or asking for help lists its commands; a wrong sub-command is an error.
    if (isGroup(argv[0]) && (argv.length === 1 || HELP_FLAGS.has(argv[1]!))) {
      printHelp(io, argv[0]);
      return 0;
    }
    writeLine(io.stderr, `unknown command \`${argv.slice(0, 2).join(' ')}\`; run \`warden ${isGroup(argv[0]) ? `${argv[0]} ` : ''}--help\``);
    return 2;
  }
  if (found.rest.some((a) => HELP_FLAGS.has(a))) {
    writeLine(io.stdout, `${found.command.summary}\n\n${found.command.usage}`);
    return 0;
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
