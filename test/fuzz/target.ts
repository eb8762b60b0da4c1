/**
 * The fuzzing target: a real `warden start` process with the demo's principals, models, routes and its
 * built-in demo upstream, and the demo API keys of alice (user), bob (contractor) and carol (admin).
 */
import assert from 'node:assert/strict';
import { demoConfig } from '../../src/config/demo.js';
import { startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';
import type { FuzzTarget } from './http-fuzz.js';

export const DEMO_UPSTREAM_SECRET = demoConfig.upstreams[0]!.apiKey;

export async function startFuzzTarget(): Promise<{ warden: WardenProcess; target: FuzzTarget }> {
  // The demo's own keys, read from the start-up banner: no CLI process to start before the run.
  const warden = await startWarden({ ...demoConfig, server: { maxBodyBytes: 256 * 1024 } }, { dir: tempDir('warden-fuzz-'), logLevel: 'info' });
  const key = (principal: string): string => {
    const found = new RegExp(`^  ${principal} +(wdn_\\S+)`, 'm').exec(warden.output())?.[1];
    assert.ok(found, `no demo key for ${principal} in the banner`);
    return found;
  };
  const keys = { user: key('alice'), other: key('bob'), admin: key('carol') };
  return { warden, target: { url: warden.url, keys, secrets: [DEMO_UPSTREAM_SECRET], models: demoConfig.models.map((m) => m.id) } };
}
