/**
 * Starts Warden as a separate process (`warden start`) for end-to-end tests and waits until it listens.
 * Collects its stdout/stderr so tests can assert on logs (e.g. that no secret is ever logged).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const CLI = join(ROOT, 'src/cli/main.ts');
/** The tsx loader by absolute URL, so child processes may run from any working directory. */
export const TSX = import.meta.resolve('tsx');
/** Makes a started process exit when the test process that started it is gone. */
const EXIT_WITH_PARENT = new URL('./exit-with-parent.mjs', import.meta.url).href;

export interface WardenProcess {
  url: string;
  tlsUrl?: string;
  dataDir: string;
  dir: string;
  output(): string;
  stop(): Promise<void>;
  kill(): void;
  /** Sends a signal (e.g. SIGHUP to reload). */
  signal(name: NodeJS.Signals): void;
  /** Settles when the process has exited (after `kill()` or `stop()`). */
  exited: Promise<void>;
}

export function tempDir(prefix = 'warden-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs a `warden` CLI command to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX, '--import', EXIT_WITH_PARENT, CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env, WARDEN_LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Creates an API key for `principal` with the CLI (on the cluster `env` names) and returns it. */
export async function createKey(principal: string, dataDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const created = await runCli(['keys', 'create', '--principal', principal, '--data-dir', dataDir], env);
  if (created.code !== 0) throw new Error(`warden keys create ${principal} failed: ${created.stderr}`);
  return created.stdout.trim().split('\n').at(-1)!;
}

/** `startTimeoutMs` (default 60 s) bounds the wait for the listener: several start-ups at once on a loaded machine need more. */
export async function startWarden(config: Record<string, unknown>, options: { dir?: string; logLevel?: string; env?: NodeJS.ProcessEnv; startTimeoutMs?: number } = {}): Promise<WardenProcess> {
  const dir = options.dir ?? tempDir();
  const dataDir = join(dir, 'data');
  const configFile = join(dir, 'warden.yaml');
  writeFileSync(configFile, stringify({ dataDir, log: { level: options.logLevel ?? 'info' }, ...config, server: { port: 0, ...(config.server as object) } }));
  const child: ChildProcess = spawn(process.execPath, ['--import', TSX, '--import', EXIT_WITH_PARENT, CLI, 'start', '--config', configFile], {
    cwd: dir,
    env: { ...process.env, WARDEN_LOG_LEVEL: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`warden did not start:\n${output}`)), options.startTimeoutMs ?? 60_000);
    const check = (): void => {
      const match = /Warden is running at (http:\/\/[^\s]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`warden exited with ${code}:\n${output}`));
    });
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const tls = /mTLS listener at (https:\/\/[^\s]+)/.exec(output)?.[1];
  return {
    url,
    ...(tls ? { tlsUrl: tls } : {}),
    dataDir,
    dir,
    output: () => output,
    exited,
    kill: () => child.kill('SIGKILL'),
    signal: (name) => child.kill(name),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => {
          if (!options.dir) rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
