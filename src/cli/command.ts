/**
 * The shape of one `warden` sub-command. Each command lives in its own file under src/cli/commands/ and is
 * listed in src/cli/commands/index.ts. Commands parse their own flags with `node:util` parseArgs, write
 * results to `io.stdout` and problems to `io.stderr`, and return the process exit code.
 */
import type { Writable } from 'node:stream';

export interface CliIO {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Command {
  /** One or two words: `start`, `keys create`, `audit verify`. */
  name: string;
  summary: string;
  /** Usage text shown by `warden help NAME` and on a usage error. */
  usage: string;
  run(args: string[], io: CliIO): Promise<number>;
}

/** Thrown by a command for a bad flag or argument: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function writeLine(stream: Writable, line: string): void {
  stream.write(line + '\n');
}
