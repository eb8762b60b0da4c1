/**
 * A Warden for answer-side tests: alice with an API key, every request allowed by policy (these tests are
 * about what comes back from the upstream, so neither a policy nor a risk denial may get in the way).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

export async function startAllowAllWarden(config: Record<string, unknown>): Promise<{ warden: WardenProcess; key: string }> {
  const dir = tempDir();
  mkdirSync(join(dir, 'data'));
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'policies', 'all.cedar'), '@id("allow-all")\npermit (principal, action, resource);\n');
  const key = (await runCli(['keys', 'create', '--principal', 'alice', '--data-dir', join(dir, 'data')])).stdout.trim().split('\n').at(-1)!;
  const warden = await startWarden(
    { principals: [{ id: 'alice', groups: ['engineering'], roles: ['user'] }], policy: { dir: join(dir, 'policies') }, ...config },
    { dir },
  );
  return { warden, key };
}
