#!/usr/bin/env node
/** Entry point of the `warden` command. */
import { runCli } from './run.js';

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });
// A long-running command (start) keeps the event loop alive itself and returns 0; others end here.
process.exitCode = code;
