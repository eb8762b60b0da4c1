#!/usr/bin/env node
/** Entry point of the `warden` command. */
import { runCli } from './run.js';

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });
// A long-running command (start) keeps the event loop alive itself and returns 0; others end here. A
// failure exits now: a start that failed half-way may hold timers, threads or sockets that would keep the
// process alive serving nothing. (stdout and stderr are synchronous for files and pipes, so nothing is cut.)
if (code === 0) process.exitCode = 0;
else process.exit(code);
