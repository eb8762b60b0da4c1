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

/**
 * Warden's output without the demo's start-up banner, which prints the demo keys on purpose (they are
 * how a new user tries the demo); every other line must hold no credential.
 */
export function outputAfterBanner(warden: WardenProcess): string {
  const lines = warden.output().split('\n');
  const first = lines.findIndex((l) => l.startsWith('Warden is running at'));
  // The banner is plain text; the log that follows it is JSON lines.
  const end = lines.findIndex((l, i) => i > first && l.startsWith('{'));
  assert.ok(first >= 0 && end > first, 'the demo banner is in the output');
  return [...lines.slice(0, first), ...lines.slice(end)].join('\n');
}
