/**
 * The `warden` command line. Its entry point is src/cli/main.ts; no other module imports the CLI, and its
 * face is the one function that runs a command line (used by main.ts and by tests that drive the CLI).
 */
export { runCli } from './run.js';
export type { CliIO } from './command.js';
