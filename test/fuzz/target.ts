/**
 * The fuzzing target: a real `warden start` process with the demo's principals, models, routes and its
 * built-in demo upstream, and API keys created with the CLI for alice (user), bob (contractor) and carol
 * (admin).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { demoConfig } from '../../src/config/demo.js';
import { runCli, startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';
import type { FuzzTarget } from './http-fuzz.js';

export const DEMO_UPSTREAM_SECRET = demoConfig.upstreams[0]!.apiKey;

export async function startFuzzTarget(): Promise<{ warden: WardenProcess; target: FuzzTarget }> {
  const dir = tempDir('warden-fuzz-');
  mkdirSync(join(dir, 'data'));
  const newKey = async (principal: string): Promise<string> => {
    const result = await runCli(['keys', 'create', '--principal', principal, '--data-dir', join(dir, 'data')]);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.trim().split('\n').at(-1)!;
  };
  const keys = { user: await newKey('alice'), other: await newKey('bob'), admin: await newKey('carol') };
  const { demo, ...rest } = demoConfig;
  const warden = await startWarden({ ...rest, demo: { upstream: demo.upstream }, server: { maxBodyBytes: 256 * 1024 } }, { dir, logLevel: 'info' });
  return { warden, target: { url: warden.url, keys, secrets: [DEMO_UPSTREAM_SECRET], models: demoConfig.models.map((m) => m.id) } };
}
