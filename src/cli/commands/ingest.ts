/**
 * `warden ingest --format syslog|auditd|windows|cloudtrail|entra|okta FILE`: imports another system's
 * log into the risk engine. The events go through the durable risk inbox: when a Warden is running on
 * the same data directory it holds the inbox and processes them (one engine, one set of baselines);
 * when none is, this command takes the inbox and processes them itself. Every record is reported:
 * turned into events, counted by reason, or malformed (listed by line on standard error).
 *
 * In a cluster (a NATS URL and a cluster database, as for `warden start`), the events go instead onto the
 * partitioned risk stream, each on its principal's bucket (docs/deploy.md, "Risk partitioning"), so the
 * bucket's owner applies them; `--wait` waits until every owner's saved checkpoint has passed them. No
 * local database is opened then.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { UsageError, writeLine, type Command, type CliIO } from '../command.js';
import { configFor, parse, withStateStores, withStore } from '../options.js';
import { natsUrlFrom } from '../../cluster/index.js';
import { databaseUrlFor, openStateStores } from '../../app/index.js';
import { ImportPublishError, PARTITION_DEFAULTS, publishImported, waitForCheckpoints, type ImportReceipt, createRiskEngine, isLogFormat, LOG_FORMATS, parseCounts, parseLog, rankSources, riskConfigSchema, SqliteRiskInbox, type DetectionRecord, type ParseResult } from '../../risk/index.js';

const POLL_MS = 200;

function intOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name}: expected an integer from ${min} to ${max}`);
  return n;
}

function report(io: CliIO, file: string, r: ParseResult): void {
  writeLine(io.stdout, `${file}: ${r.records} records: ${r.converted} became ${r.events.length} events, ${r.skipped} counted by reason, ${r.errorCount} malformed`);
  const rows = (title: string, counts: Record<string, number>): void => {
    if (Object.keys(counts).length === 0) return;
    writeLine(io.stdout, `  ${title}:`);
    for (const [reason, n] of Object.entries(counts)) writeLine(io.stdout, `  ${String(n).padStart(8)}  ${reason}`);
  };
  rows('counted by reason', r.skippedByReason);
  rows('malformed', r.malformedByReason);
  for (const e of r.errors) writeLine(io.stderr, `${file}:${e.line}: ${e.message}`);
}

export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'import auth, audit, Windows, CloudTrail, Entra ID or Okta logs into the risk engine',
  usage: `usage: warden ingest --format ${LOG_FORMATS.join('|')} FILE|- [--year N] [--host H] [--wait] [--timeout S] [--json] [--config F] [--data-dir D]`,
  async run(args, io) {
    const { values, positionals } = parse(
      args,
      { format: { type: 'string' }, json: { type: 'boolean' }, year: { type: 'string' }, host: { type: 'string' }, wait: { type: 'boolean' }, timeout: { type: 'string' } },
      true,
    );
    const format = values.format ?? '';
    if (!isLogFormat(format)) throw new UsageError(`--format: expected one of ${LOG_FORMATS.join(', ')}`);
    if (positionals.length !== 1) throw new UsageError('give exactly one FILE (or - for standard input)');
    const year = intOption(values.year, 'year', 1970, 9999);
    const timeoutMs = (intOption(values.timeout, 'timeout', 1, 3600) ?? 60) * 1000;
    if (values.host !== undefined && !/^[\w.-]{1,253}$/.test(values.host)) throw new UsageError('--host: expected a host name');
    const file = positionals[0]!;
    let text: string;
    try {
      text = readFileSync(file === '-' ? 0 : resolve(io.cwd, file), 'utf8');
    } catch (error) {
      writeLine(io.stderr, `warden ingest: cannot read \`${file}\`: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      return 1;
    }
    const result = parseLog(text, format, { maxErrors: 10_000, ...(year !== undefined ? { year } : {}), ...(values.host ? { host: values.host } : {}) });
    if (result.records > 0 && result.errorCount >= result.records) {
      // Not one record could be read: the wrong --format or the wrong file, not an empty success.
      report(io, file, result);
      writeLine(io.stderr, `warden ingest: no record of \`${file}\` could be read as ${format}; check --format`);
      return 1;
    }
    const loaded = configFor(values, io);
    const natsUrl = natsUrlFrom(loaded.config, io.env);
    // The same rule as `warden start`: with NATS and a cluster database the baselines are partitioned, and
    // an import must reach each principal's owner (a local inbox here would fork the state).
    if (natsUrl !== undefined && databaseUrlFor(loaded.config, io.env) !== undefined) {
      return ingestIntoCluster({ io, values, file, format, result, natsUrl, wait: values.wait === true, timeoutMs, json: values.json === true });
    }
    return withStore(values, io, async ({ loaded, db }) => {
      const config = riskConfigSchema.parse((loaded.config as unknown as Record<string, unknown>).risk ?? {});
      const inbox = new SqliteRiskInbox(db);
      const origin = `warden ingest ${format} ${file}`;
      const owner = `cli:${hostname()}:${process.pid}`;
      /**
       * An engine that consumes the inbox here, only when no Warden holds it (it would fork the state). Its
       * detections go where `warden start` would put them: the cluster's database when one is configured.
       */
      const drainHere = async (): Promise<DetectionRecord[]> => {
        const databaseUrl = databaseUrlFor(loaded.config, io.env);
        const stores = databaseUrl === undefined ? undefined : await openStateStores({ databaseUrl, sqlite: () => db });
        const engine = createRiskEngine({ db, config: { ...config, persistIntervalSeconds: 0, inbox: { ...config.inbox, pollMilliseconds: 0 } }, inboxOwner: owner, detections: stores?.detections });
        try {
          return engine.drainInbox().detections;
        } finally {
          engine.close();
          await engine.idle();
          await stores?.close();
        }
      };
      const { first, last } = inbox.append(result.events, origin);
      let consumer = inbox.holder(Date.now());
      let detections: DetectionRecord[] | undefined;
      if (consumer === undefined) detections = await drainHere();
      else if (values.wait) {
        const deadline = Date.now() + timeoutMs;
        while (inbox.cursor() < last && Date.now() < deadline) {
          if (inbox.holder(Date.now()) === undefined) {
            detections = await drainHere(); // the Warden stopped and its lease expired: take over
            consumer = undefined;
            break;
          }
          await delay(POLL_MS);
        }
      }
      const done = inbox.cursor() >= last;
      const summary = {
        file,
        format,
        ...parseCounts(result),
        inbox: { first, last },
        consumer: consumer ?? 'this command',
        processed: done,
        ...(detections ? { detections: detections.length, topSources: rankSources(detections).slice(0, 10) } : {}),
      };
      if (values.json) writeLine(io.stdout, JSON.stringify({ ...summary, errors: result.errors }));
      else {
        report(io, file, result);
        if (detections) {
          writeLine(io.stdout, `processed here (no Warden running): ${result.events.length} events, ${detections.length} detections`);
          rankSources(detections)
            .slice(0, 10)
            .forEach((s, i) => writeLine(io.stdout, `  ${String(i + 1).padStart(2)}. ${s.source}  ${s.score}  ${Object.keys(s.detectors).join(', ')}`));
        } else {
          writeLine(io.stdout, `handed to the running Warden \`${consumer}\` through the risk inbox (entries ${first}-${last}): ${done ? 'processed' : `queued; it processes them within ${config.inbox.pollMilliseconds} ms of polling`}; \`warden detections list\` shows what it found`);
        }
      }
      if (values.wait && !done) {
        writeLine(io.stderr, `warden ingest: the events are queued but were not processed within ${timeoutMs / 1000} s`);
        return 1;
      }
      return 0;
    });
  },
};

interface ClusterIngest {
  io: CliIO;
  values: Parameters<typeof withStateStores>[0];
  file: string;
  format: string;
  result: ParseResult;
  natsUrl: string;
  wait: boolean;
  timeoutMs: number;
  json: boolean;
}

/** The NATS URL without credentials, for messages. */
const redacted = (url: string): string => url.replace(/\/\/[^@/,]*@/g, '//');

async function ingestIntoCluster(c: ClusterIngest): Promise<number> {
  const { io, file, result } = c;
  const fail = (message: string): number => {
    if (!c.json) report(io, file, result);
    writeLine(io.stderr, `warden ingest: ${message}`);
    return 1;
  };
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: c.natsUrl, name: `warden ingest ${hostname()}:${process.pid}`, reconnect: false, timeout: 5000 });
  } catch (error) {
    return fail(`cannot reach NATS at ${redacted(c.natsUrl)} (${(error as Error).message}): nothing was published; in a cluster imported events go through the partitioned risk stream (JetStream), so retry once NATS is back`);
  }
  try {
    const started = Date.now();
    let receipt: ImportReceipt;
    try {
      receipt = await publishImported(nc, result.events, PARTITION_DEFAULTS.buckets);
    } catch (error) {
      const stored = error instanceof ImportPublishError ? error.acknowledged : 0;
      return fail(`the partitioned risk stream (JetStream at ${redacted(c.natsUrl)}) did not store the events (${(error as Error).message}): ${stored} of ${result.events.length} were acknowledged; running the same file again stores the others, not those twice`);
    }
    const published = Date.now() - started;
    const caughtUp = c.wait ? await withStateStores(c.values, io, ({ stores }) => waitForCheckpoints(stores.risk, receipt.lastByBucket, Date.now() + c.timeoutMs)) : undefined;
    const waited = Date.now() - started;
    const stream = { first: receipt.first, last: receipt.last, published: receipt.published, duplicates: receipt.duplicates, buckets: receipt.lastByBucket.size };
    if (c.json) {
      writeLine(io.stdout, JSON.stringify({ file, format: c.format, ...parseCounts(result), stream, processed: caughtUp === true, publishMs: published, ...(c.wait ? { waitMs: waited } : {}), errors: result.errors }));
    } else {
      report(io, file, result);
      const range = receipt.last > 0 ? ` (stream sequences ${receipt.first}-${receipt.last}, ${stream.buckets} buckets)` : '';
      writeLine(io.stdout, `published to the partitioned risk stream in ${published} ms: ${receipt.published} new, ${receipt.duplicates} already there from an earlier import${range}; each bucket's owner applies them`);
      if (caughtUp) writeLine(io.stdout, `every owner's saved checkpoint has passed them after ${waited} ms; \`warden detections list\` shows what they found`);
      else if (!c.wait) writeLine(io.stdout, 'they are durable in the stream; --wait waits until every owner has saved them, and `warden detections list` shows what they found');
    }
    if (caughtUp === false) {
      writeLine(io.stderr, `warden ingest: the events are in the stream but their owners had not saved them within ${c.timeoutMs / 1000} s (is a Warden instance running with this NATS and database?)`);
      return 1;
    }
    return 0;
  } finally {
    await nc.close();
  }
}
