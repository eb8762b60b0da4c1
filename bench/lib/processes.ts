/** Starts the processes a benchmark measures (each its own process, as in production) and waits for them. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname;

export interface Started {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** Runs the built CLI when `npm run build` has run, else the TypeScript sources through tsx. */
export function wardenCommand(args: string[]): string[] {
  const built = join(ROOT, 'dist/src/cli/main.js');
  return existsSync(built) ? [built, ...args] : ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/main.ts'), ...args];
}

/** `timeoutMs` (default 60 s) bounds the wait for `readyPattern`: a loaded machine may need more. */
export function startProcess(args: string[], readyPattern: RegExp, env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<Started> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      // A process that never became ready must not outlive the benchmark that started it.
      child.kill('SIGKILL');
      reject(new Error(`not ready in time: ${args.join(' ')}\n${output}`));
    }, timeoutMs);
    const onData = (d: Buffer): void => {
      output += d.toString();
      const match = readyPattern.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({
          child,
          url: match[1]!,
          stop: () =>
            new Promise((r) => {
              if (child.exitCode !== null) return r();
              child.once('exit', () => r());
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}: ${args.join(' ')}\n${output}`));
    });
  });
}
