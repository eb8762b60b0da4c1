/**
 * The acknowledged-decision crash check, shared by the test (a few rounds) and `npm run crash:durability`
 * (many): a real Warden process serves steady traffic over real HTTP (JSON answers, SSE streams, denials
 * and step-ups) and is killed with SIGKILL mid-load. A request counts as answered only when the client
 * has its complete answer (the whole body, the end of the stream). After a restart, every answered request
 * must be in the audit log and in the decision table.
 */
import { request, Agent } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { demoConfig } from '../../src/config/demo.js';
import { rmSync } from 'node:fs';
import { decodeEntry } from '../../src/audit/encoding.js';
import { startWarden, tempDir, type WardenProcess } from '../helpers/warden-process.js';

export interface CrashFigures {
  runs: number;
  answered: number;
  /** Answered requests missing from the audit log after restart: must be 0. */
  lostFromAudit: number;
  /** Answered requests missing from the decision table after restart: must be 0. */
  lostFromTable: number;
  missing: string[];
}

interface Shape {
  method: string;
  path: string;
  key: 'alice' | 'bob';
  body?: unknown;
}

// The guard and the risk engine are off: they do not touch recording, and starting without them keeps
// three start-ups within the per-file time limit on a loaded machine.
const CONFIG = { ...demoConfig, guard: { enabled: false }, risk: { enabled: false } };

const SHAPES: Shape[] = [
  { method: 'POST', path: '/v1/chat/completions', key: 'alice', body: { model: 'demo-chat', messages: [{ role: 'user', content: 'hello' }] } },
  { method: 'POST', path: '/v1/chat/completions', key: 'alice', body: { model: 'demo-chat', stream: true, messages: [{ role: 'user', content: 'stream please' }] } },
  { method: 'POST', path: '/v1/chat/completions', key: 'alice', body: { model: 'demo-chat-secure', messages: [{ role: 'user', content: 'hi' }] } },
  { method: 'PUT', path: '/datasets/train-set', key: 'bob', body: { rows: 1 } },
];

/** One request; resolves true only when the complete answer arrived (the 'end' of the response body). */
function send(base: URL, agent: Agent, shape: Shape, key: string, requestId: string): Promise<boolean> {
  return new Promise((resolve) => {
    const body = shape.body === undefined ? undefined : JSON.stringify(shape.body);
    const req = request(
      { host: base.hostname, port: base.port, method: shape.method, path: shape.path, agent, headers: { authorization: `Bearer ${key}`, 'x-request-id': requestId, ...(body ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve(res.complete));
        res.on('error', () => resolve(false));
        res.on('aborted', () => resolve(false));
      },
    );
    req.on('error', () => resolve(false));
    req.end(body);
  });
}

/** Drives `concurrency` loops until `answeredTarget` complete answers arrived, then kills Warden with SIGKILL. */
async function loadAndKill(warden: WardenProcess, round: number, concurrency: number, answeredTarget: number): Promise<string[]> {
  const keys = { alice: /alice +(wdn_\S+)/.exec(warden.output())![1]!, bob: /bob +(wdn_\S+)/.exec(warden.output())![1]! };
  const base = new URL(warden.url);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const answered: string[] = [];
  let killed = false;
  let n = 0;
  const loops = Array.from({ length: concurrency }, async () => {
    while (!killed) {
      const id = `crash-${round}-${n}`;
      const shape = SHAPES[n++ % SHAPES.length]!;
      if (await send(base, agent, shape, keys[shape.key], id)) answered.push(id);
      if (!killed && answered.length >= answeredTarget) {
        killed = true;
        warden.kill();
      }
    }
  });
  await Promise.all(loops);
  await warden.exited;
  agent.destroy();
  return answered;
}

/**
 * The request ids of the decisions in the audit log and in the decision table, read (read-only) from a
 * restarted Warden's data directory: it caught the table up before it started listening.
 */
function recorded(dataDir: string): { audit: Set<string>; table: Set<string> } {
  const auditDb = new Database(join(dataDir, 'audit.db'), { readonly: true });
  const audit = new Set<string>();
  try {
    for (const entry of auditDb.prepare('SELECT entry FROM audit_entries').pluck().iterate() as Iterable<Buffer>) {
      const event = decodeEntry(entry).event;
      if (event.type === 'decision') audit.add(event.requestId as string);
    }
  } finally {
    auditDb.close();
  }
  const db = new Database(join(dataDir, 'warden.db'), { readonly: true });
  try {
    const ids = db.prepare("SELECT json_extract(event, '$.requestId') FROM decisions").pluck().all() as string[];
    return { audit, table: new Set(ids) };
  } finally {
    db.close();
  }
}

/** Round i: load, SIGKILL, restart, check. One restart serves as the next round's server. */
export async function crashRounds(options: { runs: number; concurrency: number; answeredPerRun: number; onRound?: (round: number, f: CrashFigures) => void }): Promise<CrashFigures> {
  const dir = tempDir('warden-durability-');
  const figures: CrashFigures = { runs: 0, answered: 0, lostFromAudit: 0, lostFromTable: 0, missing: [] };
  const all: string[] = [];
  let warden = await startWarden(CONFIG, { dir, logLevel: 'warn' });
  try {
    for (let round = 0; round < options.runs; round++) {
      all.push(...(await loadAndKill(warden, round, options.concurrency, options.answeredPerRun)));
      warden = await startWarden(CONFIG, { dir, logLevel: 'warn' });
      const { audit, table } = recorded(warden.dataDir);
      figures.runs++;
      figures.answered = all.length;
      figures.lostFromAudit = all.filter((id) => !audit.has(id)).length;
      figures.lostFromTable = all.filter((id) => !table.has(id)).length;
      figures.missing = all.filter((id) => !audit.has(id) || !table.has(id)).slice(0, 20);
      options.onRound?.(round, figures);
    }
  } finally {
    await warden.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
