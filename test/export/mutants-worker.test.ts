/**
 * The holder's delivery loop of `SinkWorker` (src/export/worker.ts), driven directly with a scripted sink
 * and an in-memory cursor repository that records every write, so each test can assert where the cursor
 * is and what was (re)sent: the cursor re-read when the lease is taken, a cursor beyond the end of the
 * log refused, a stream sink's rewind resent from exactly its position, unsettled writes not committed,
 * a lost lease, retry backoff that grows and starts over, and the final commit at stop. Written for the
 * mutation check (`npm run mutate -- export-cursor`, docs/mutation.md), which found these branches
 * reached by no test. The idle poll is an hour long: the tests move the worker on with `wake()` only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportSinkSchema, type ExportSinkConfig } from '../../src/export/config.js';
import { defaultFormatContext } from '../../src/export/formats/index.js';
import { RejectedError, RetryableError } from '../../src/export/sinks/types.js';
import type { EncodedRecord, FormattedRecord, Sink } from '../../src/export/sinks/types.js';
import type { CursorRow, DeadLetter, ExportCursorRepository, SinkLease } from '../../src/export/store/types.js';
import { SinkWorker, type ExportLogger } from '../../src/export/worker.js';
import { MemoryReader, sampleEvents, waitFor } from './helpers.js';

const HOUR = 3_600_000;

/** A sink whose deliveries the test scripts: what each send does, rewinds and unsettled positions. */
class ScriptedSink implements Sink {
  readonly sent: number[][] = [];
  /** Called on each send before it resolves; may throw (a failed delivery). */
  onSend: ((batch: readonly EncodedRecord[]) => void) | undefined;
  rewind: number | undefined;
  unconfirmed: number | undefined;
  takeRewindCalls = 0;
  encode(record: FormattedRecord): string {
    return String(record.index);
  }
  async send(batch: readonly EncodedRecord[]): Promise<void> {
    this.onSend?.(batch);
    this.sent.push(batch.map((r) => r.index));
  }
  unconfirmedFrom(): number | undefined {
    return this.unconfirmed;
  }
  takeRewind(): number | undefined {
    this.takeRewindCalls++;
    const r = this.rewind;
    this.rewind = undefined;
    return r;
  }
  async close(): Promise<void> {}
}

/** One sink's cursor repository in memory: every cursor write is recorded, the lease can be cut. */
class MemoryRepo implements ExportCursorRepository {
  row: CursorRow | undefined;
  writes: [number, number][] = [];
  deadCount = 0;
  releases = 0;
  cursorError: Error | undefined;
  /** Each lease handed out (the last is the current one). */
  leases: { alive: boolean }[] = [];
  failRelease = false;
  /** No lease is granted (another exporter holds it). */
  refuse = false;
  /** When set, cursor writes wait for it. */
  gate: Promise<void> | undefined;
  async cursor(): Promise<CursorRow | undefined> {
    if (this.cursorError) {
      const e = this.cursorError;
      this.cursorError = undefined;
      throw e;
    }
    return this.row && { ...this.row };
  }
  async cursors(): Promise<CursorRow[]> {
    return this.row ? [this.row] : [];
  }
  async deadLetters(): Promise<DeadLetter[]> {
    return [];
  }
  async deadLetterCount(): Promise<number> {
    return this.deadCount;
  }
  async tryLease(sink: string): Promise<SinkLease | null> {
    if (this.refuse) return null;
    const state = { alive: true };
    this.leases.push(state);
    return {
      sink,
      get alive() {
        return state.alive;
      },
      setCursor: async (position: number, delivered: number) => {
        await this.gate;
        if (!state.alive) throw new Error('connection terminated');
        this.writes.push([position, delivered]);
        this.row = { sink, position, delivered, updatedAt: new Date().toISOString() };
      },
      addDeadLetter: async () => {
        if (!state.alive) throw new Error('connection terminated');
        this.deadCount++;
      },
      release: async () => {
        this.releases++;
        state.alive = false;
        if (this.failRelease) throw new Error('release failed');
      },
    };
  }
}

class RecordingLogger implements ExportLogger {
  readonly lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  info(obj: object, msg: string): void {
    this.lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg });
  }
  warn(obj: object, msg: string): void {
    this.lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg });
  }
  error(obj: object, msg: string): void {
    this.lines.push({ level: 'error', obj: obj as Record<string, unknown>, msg });
  }
}

function config(overrides: Record<string, unknown> = {}): ExportSinkConfig {
  return exportSinkSchema.parse({ name: 'siem', type: 'stdout', format: 'native', batch: { maxRecords: 5 }, retry: { initialDelayMs: 1, maxDelayMs: 1, jitter: 0 }, ...overrides });
}

interface Harness {
  worker: SinkWorker;
  sink: ScriptedSink;
  repo: MemoryRepo;
  reader: MemoryReader;
  logger: RecordingLogger;
  running: Promise<void>;
  stop(): Promise<void>;
}

async function start(opts: { records: number; row?: CursorRow; deadCount?: number; cfg?: ExportSinkConfig; before?: (h: Omit<Harness, 'running' | 'stop'>) => void }): Promise<Harness> {
  const reader = new MemoryReader();
  reader.append(sampleEvents(0, opts.records));
  const sink = new ScriptedSink();
  const repo = new MemoryRepo();
  repo.row = opts.row;
  repo.deadCount = opts.deadCount ?? 0;
  const logger = new RecordingLogger();
  const stop = new AbortController();
  const send = new AbortController();
  const worker = new SinkWorker(opts.cfg ?? config(), sink, reader, repo, defaultFormatContext('test'), HOUR, { stop: stop.signal, send: send.signal }, logger);
  await worker.load();
  opts.before?.({ worker, sink, repo, reader, logger });
  const running = worker.run();
  return {
    worker,
    sink,
    repo,
    reader,
    logger,
    running,
    stop: async () => {
      stop.abort();
      await running;
    },
  };
}

const row = (position: number, delivered: number): CursorRow => ({ sink: 'siem', position, delivered, updatedAt: new Date(0).toISOString() });

test('the holder re-reads the stored cursor when it takes the lease: another holder may have moved it since load', async () => {
  const h = await start({
    records: 8,
    row: row(1, 1),
    before: ({ repo }) => {
      // between load() and the lease, another exporter delivered up to 3 and dead-lettered 2 records
      repo.row = row(3, 9);
      repo.deadCount = 2;
    },
  });
  try {
    await waitFor(() => h.worker.status().committed === 8, 'caught up');
    const s = h.worker.status();
    assert.deepEqual(h.sink.sent, [[3, 4, 5, 6, 7]]);
    assert.deepEqual(h.repo.writes, [[8, 14]], 'the stored cursor is not written back before the first batch');
    assert.equal(s.deliveredTotal, 14);
    assert.equal(s.deadLettered, 2);
    assert.equal(s.state, 'idle');
    assert.equal(s.position, 8);
    assert.equal(s.lag, 0);
    assert.equal(s.lastError, undefined);
    const taken = h.logger.lines.find((l) => l.msg === 'this exporter delivers the sink');
    assert.deepEqual(taken?.obj, { sink: 'siem', position: 3 });
  } finally {
    await h.stop();
  }
  assert.equal(h.worker.status().state, 'stopped');
});

test('a new sink starts at its start position and writes that cursor once before delivering', async () => {
  // startAt end on a one-record log: the start (1) is pinned in the store at once, so a restart before
  // the first delivery does not skip what was appended meanwhile
  let open!: () => void;
  const h = await start({ records: 1, cfg: config({ startAt: 'end' }), before: ({ repo }) => (repo.gate = new Promise((r) => (open = r))) });
  try {
    await waitFor(() => h.repo.leases.length === 1, 'lease taken');
    await new Promise((r) => setImmediate(r));
    assert.equal(h.worker.status().state, 'idle', 'the holder is no longer starting once it has read its cursor');
    open();
    await waitFor(() => h.repo.writes.length === 1, 'first commit');
    assert.deepEqual(h.repo.writes, [[1, 0]]);
    h.reader.append(sampleEvents(1, 2));
    h.worker.wake();
    await waitFor(() => h.worker.status().committed === 3, 'caught up');
    assert.deepEqual(h.sink.sent, [[1, 2]]);
    assert.deepEqual(h.repo.writes, [[1, 0], [3, 2]]);
  } finally {
    await h.stop();
  }
});

test('a stored cursor beyond the end of the log is refused: nothing sent, nothing written, until the log reaches it', async () => {
  const h = await start({ records: 5, row: row(10, 4) });
  try {
    await waitFor(() => h.worker.status().state === 'error', 'refusal');
    let s = h.worker.status();
    assert.equal(s.lastError, 'cursor 10 is beyond the end of the log (5)');
    assert.equal(s.position, 10);
    assert.equal(s.committed, 10);
    assert.equal(s.logSize, 5);
    // woken again while still beyond the end: still refused, still nothing moves
    h.worker.wake();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(h.sink.sent, []);
    assert.deepEqual(h.repo.writes, []);
    // once the log has grown past it, delivery resumes exactly at the stored cursor
    h.reader.append(sampleEvents(5, 7));
    h.worker.wake();
    await waitFor(() => h.worker.status().committed === 12, 'resumed');
    s = h.worker.status();
    assert.deepEqual(h.sink.sent, [[10, 11]]);
    assert.deepEqual(h.repo.writes, [[12, 6]]);
    assert.equal(s.state, 'idle', 'a cursor at the end of the log is idle, not an error');
  } finally {
    await h.stop();
  }
});

test('a cursor exactly at the end of the log is idle, not beyond it', async () => {
  const h = await start({ records: 5, row: row(5, 5) });
  try {
    await waitFor(() => h.worker.status().state === 'idle', 'idle');
    const s = h.worker.status();
    assert.equal(s.lastError, undefined);
    assert.deepEqual(h.sink.sent, []);
    assert.deepEqual(h.repo.writes, []);
  } finally {
    await h.stop();
  }
});

test('a rewind reported between batches resends from exactly that position; one at or past the cursor is ignored', async () => {
  const h = await start({ records: 12 });
  h.sink.onSend = (batch) => {
    // the connection dropped after the first batch was written: records from 2 on were not settled
    if (batch[0]!.index === 0) h.sink.rewind = 2;
  };
  try {
    await waitFor(() => h.worker.status().committed === 12, 'caught up');
    assert.deepEqual(h.sink.sent, [[0, 1, 2, 3, 4], [2, 3, 4, 5, 6], [7, 8, 9, 10, 11]]);
    // the rewind is committed before the resend, so a crash now resends from 2, not from 5
    assert.deepEqual(h.repo.writes, [[0, 0], [5, 5], [2, 5], [7, 10], [12, 15]]);
    let s = h.worker.status();
    assert.equal(s.rewinds, 1);
    assert.equal(s.sentRecords, 15);
    const warned = h.logger.lines.filter((l) => l.level === 'warn');
    assert.deepEqual(warned.map((l) => [l.obj, l.msg]), [[{ sink: 'siem', from: 5, to: 2 }, 'export connection dropped; resending unsettled records']]);
    // a rewind to the cursor itself or past it resends nothing
    h.sink.rewind = 12;
    h.worker.wake();
    await waitFor(() => h.sink.rewind === undefined, 'rewind taken');
    h.sink.rewind = 13;
    h.worker.wake();
    await waitFor(() => h.sink.rewind === undefined, 'rewind taken');
    s = h.worker.status();
    assert.equal(s.rewinds, 1);
    assert.equal(s.position, 12);
    assert.equal(h.sink.sent.length, 3);
    assert.deepEqual(h.repo.writes.at(-1), [12, 15]);
  } finally {
    await h.stop();
  }
});

test('records written but not yet settled are not committed; the loop commits them once settled, without new records', async () => {
  const h = await start({ records: 4 });
  h.sink.onSend = () => {
    h.sink.unconfirmed = 1;
  };
  try {
    await waitFor(() => h.sink.sent.length === 1 && h.worker.status().state === 'idle', 'sent');
    assert.deepEqual(h.repo.writes, [[0, 0], [1, 4]]);
    assert.equal(h.worker.status().committed, 1);
    assert.equal(h.worker.status().position, 4);
    h.sink.unconfirmed = 3;
    h.worker.wake();
    await waitFor(() => h.repo.writes.length === 3, 'partly settled');
    assert.deepEqual(h.repo.writes.at(-1), [3, 4]);
    // a later unsettled position never moves the cursor past what was sent
    h.sink.unconfirmed = 9;
    h.worker.wake();
    await waitFor(() => h.repo.writes.length === 4, 'settled');
    assert.deepEqual(h.repo.writes.at(-1), [4, 4]);
    h.sink.unconfirmed = undefined;
    h.worker.wake();
    await waitFor(() => h.sink.takeRewindCalls >= 5, 'another loop');
    assert.equal(h.repo.writes.length, 4, 'an unchanged cursor is not written again');
    assert.deepEqual(h.sink.sent, [[0, 1, 2, 3]]);
  } finally {
    await h.stop();
  }
});

test('a lease lost while idle: no further delivery, the lease is let go and the worker stands by', async () => {
  const h = await start({ records: 3 });
  try {
    await waitFor(() => h.worker.status().committed === 3, 'caught up');
    h.repo.leases[0]!.alive = false;
    h.repo.refuse = true;
    h.reader.append(sampleEvents(3, 4));
    h.worker.wake();
    await waitFor(() => h.repo.releases === 1, 'released');
    const s = h.worker.status();
    assert.equal(s.state, 'standby');
    assert.equal(s.lastError, "the sink's lease was lost");
    assert.deepEqual(h.sink.sent, [[0, 1, 2]], 'nothing is delivered without the lease');
    assert.deepEqual(h.repo.writes, [[0, 0], [3, 3]]);
    const warned = h.logger.lines.filter((l) => l.level === 'warn');
    assert.deepEqual(warned.map((l) => [l.obj, l.msg]), [[{ sink: 'siem', position: 3 }, 'export sink lease lost; standing by']]);
  } finally {
    await h.stop();
  }
});

test('a lease lost during a delivery: the cursor write fails and the worker stands by instead of retrying', async () => {
  const h = await start({ records: 3 });
  h.sink.onSend = () => {
    h.repo.leases.at(-1)!.alive = false;
    h.repo.refuse = true;
  };
  try {
    await waitFor(() => h.repo.releases >= 1, 'released');
    const s = h.worker.status();
    assert.equal(s.state, 'standby');
    assert.equal(s.lastError, "the sink's lease was lost");
    assert.equal(s.committed, 0);
    assert.deepEqual(h.repo.writes, [[0, 0]]);
    assert.ok(!h.logger.lines.some((l) => l.level === 'error'), 'not reported as a failure to retry');
  } finally {
    await h.stop();
  }
});

test('the stored cursor cannot be read when the lease is taken: reported, the lease let go, and taken again', async () => {
  const h = await start({ records: 2, before: ({ repo }) => (repo.cursorError = new Error('database is locked')) });
  try {
    await waitFor(() => h.worker.status().state === 'error', 'reported');
    assert.equal(h.worker.status().lastError, 'database is locked');
    assert.deepEqual(h.sink.sent, [], 'nothing is delivered from an unknown cursor');
    assert.deepEqual(h.repo.writes, []);
    await waitFor(() => h.worker.status().committed === 2, 'delivered after the retry');
    assert.deepEqual(h.sink.sent, [[0, 1]]);
    assert.equal(h.repo.releases, 1, 'the first lease was let go');
    assert.equal(h.repo.leases.length, 2);
  } finally {
    await h.stop();
  }
});

test('a failing log read is retried with a backoff that grows with each failure in a row and starts over after a success', async () => {
  // waits of 60 ms, 600 ms, 6 s, 60 s: two failures in a row wait at least 660 ms; after a success the
  // next failure waits 60 ms again (without the reset, the third and fourth would wait 6 s and 60 s)
  let failing = 2;
  const h = await start({
    records: 0,
    cfg: config({ retry: { initialDelayMs: 60, maxDelayMs: 600_000, multiplier: 10, jitter: 0 } }),
    before: ({ reader }) => {
      const read = reader.read.bind(reader);
      reader.read = (from: number, limit: number) => {
        if (failing > 0) {
          failing--;
          throw new Error(`read failed at ${from}`);
        }
        return read(from, limit);
      };
    },
  });
  try {
    const t0 = Date.now();
    h.reader.append(sampleEvents(0, 2));
    h.worker.wake();
    await waitFor(() => h.worker.status().committed === 2, 'delivered after two failures');
    assert.ok(Date.now() - t0 >= 655, `two failures in a row waited 60 + 600 ms (${Date.now() - t0} ms)`);
    for (let i = 0; i < 2; i++) {
      failing = 1;
      h.reader.append(sampleEvents(2 + i, 1));
      h.worker.wake();
      await waitFor(() => h.worker.status().committed === 3 + i, `delivered after failure ${i + 3}`, 10_000);
    }
    const errors = h.logger.lines.filter((l) => l.level === 'error');
    assert.deepEqual(errors.map((l) => [l.obj.position, l.obj.error, l.msg]), [
      [0, 'read failed at 0', 'export sink failed; will retry'],
      [0, 'read failed at 0', 'export sink failed; will retry'],
      [2, 'read failed at 2', 'export sink failed; will retry'],
      [3, 'read failed at 3', 'export sink failed; will retry'],
    ]);
    assert.equal(h.worker.status().state, 'idle');
    assert.deepEqual(h.sink.sent, [[0, 1], [2], [3]]);
  } finally {
    await h.stop();
  }
});

test('final commit at stop: commits what the close settled, from a rewind the close reported; nothing once the lease is gone', async () => {
  const h = await start({ records: 6 });
  h.sink.onSend = () => {
    h.sink.unconfirmed = 2;
  };
  await waitFor(() => h.sink.sent.length === 2 && h.worker.status().state === 'idle', 'sent');
  assert.deepEqual(h.repo.writes, [[0, 0], [2, 5]], 'the cursor stays at the first unsettled record');
  await h.stop();
  assert.equal(h.repo.releases, 0, 'a stopped holder keeps its lease until the final commit');
  // the close settled everything up to 4 and reported the rest lost with the connection
  h.sink.unconfirmed = undefined;
  h.sink.rewind = 4;
  await h.worker.finalCommit();
  assert.deepEqual(h.repo.writes.at(-1), [4, 6]);
  assert.equal(h.worker.status().rewinds, 1);
  assert.equal(h.repo.releases, 1);
  // called again with no lease: nothing is written, and it does not throw
  const writes = h.repo.writes.length;
  h.sink.rewind = 1;
  await h.worker.finalCommit();
  assert.equal(h.repo.writes.length, writes);
  assert.equal(h.worker.status().rewinds, 1, 'no lease, no rewind taken');
  assert.equal(h.repo.releases, 1);
});

test('final commit with a lease lost before stop writes nothing; a failing release does not make it throw', async () => {
  const h = await start({ records: 2 });
  await waitFor(() => h.worker.status().committed === 2, 'caught up');
  await h.stop();
  h.repo.leases[0]!.alive = false;
  h.sink.rewind = 0;
  h.repo.failRelease = true;
  await h.worker.finalCommit();
  assert.deepEqual(h.repo.writes, [[0, 0], [2, 2]]);
  assert.equal(h.worker.status().rewinds, 0);
  assert.equal(h.repo.releases, 1);
});

test('a record the receiver rejects is dead-lettered through the lease and counted', async () => {
  const h = await start({ records: 3 });
  h.sink.onSend = (batch) => {
    if (batch.some((r) => r.index === 1)) throw new RejectedError('bad record');
  };
  try {
    await waitFor(() => h.worker.status().committed === 3, 'caught up');
    assert.equal(h.repo.deadCount, 1);
    assert.equal(h.worker.status().deadLettered, 1);
    assert.deepEqual(h.sink.sent, [[0], [2]]);
  } finally {
    await h.stop();
  }
});

test('a stop while a delivery waits to be retried ends the worker without reporting a failure', async () => {
  const h = await start({ records: 2, cfg: config({ retry: { initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: 0 } }) });
  h.sink.onSend = () => {
    throw new RetryableError('receiver down');
  };
  await waitFor(() => h.worker.status().state === 'retrying', 'retrying');
  await h.stop();
  const s = h.worker.status();
  assert.equal(s.state, 'stopped');
  assert.equal(s.retries, 1);
  assert.equal(s.lastError, 'receiver down');
  assert.equal(s.committed, 0);
  assert.deepEqual(h.logger.lines.filter((l) => l.level === 'error'), [], 'a stop is not an export failure');
});

test('without a logger: a rewind, a failing read and a lost lease are handled the same, and a failed read shows as an error', async () => {
  const reader = new MemoryReader();
  reader.append(sampleEvents(0, 6));
  const sink = new ScriptedSink();
  const repo = new MemoryRepo();
  const stop = new AbortController();
  const cfg = config({ retry: { initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: 0 } });
  const worker = new SinkWorker(cfg, sink, reader, repo, defaultFormatContext('test'), HOUR, { stop: stop.signal, send: new AbortController().signal });
  await worker.load();
  sink.onSend = (batch) => {
    if (batch[0]!.index === 0) sink.rewind = 3;
  };
  const read = reader.read.bind(reader);
  let failing = false;
  reader.read = (from: number, limit: number) => {
    if (failing) throw new Error('disk error');
    return read(from, limit);
  };
  const running = worker.run();
  try {
    await waitFor(() => worker.status().committed === 6, 'caught up');
    assert.deepEqual(sink.sent, [[0, 1, 2, 3, 4], [3, 4, 5]]);
    assert.equal(worker.status().rewinds, 1);
    failing = true;
    reader.append(sampleEvents(6, 1));
    worker.wake();
    await waitFor(() => worker.status().lastError === 'disk error', 'read failed');
    assert.equal(worker.status().state, 'error');
  } finally {
    stop.abort();
    await running;
  }
  // the lease lost while stopped: nothing logged, nothing thrown, nothing written
  repo.leases[0]!.alive = false;
  await worker.finalCommit();
  assert.deepEqual(repo.writes, [[0, 0], [5, 5], [3, 5], [6, 8]]);
});

test('without a logger: a lease lost while idle stands by', async () => {
  const reader = new MemoryReader();
  reader.append(sampleEvents(0, 2));
  const sink = new ScriptedSink();
  const repo = new MemoryRepo();
  const stop = new AbortController();
  const worker = new SinkWorker(config(), sink, reader, repo, defaultFormatContext('test'), HOUR, { stop: stop.signal, send: new AbortController().signal });
  await worker.load();
  const running = worker.run();
  try {
    await waitFor(() => worker.status().committed === 2, 'caught up');
    repo.leases[0]!.alive = false;
    repo.refuse = true;
    worker.wake();
    await waitFor(() => repo.releases === 1, 'released');
    assert.equal(worker.status().state, 'standby');
  } finally {
    stop.abort();
    await running;
  }
});
