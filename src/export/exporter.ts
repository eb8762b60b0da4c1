/**
 * The SIEM exporter: one worker per enabled sink, each following the audit log from its persisted cursor.
 *
 * @example
 * ```ts
 * const exporter = await createExporter({ reader: auditLog, dataDir: '.warden', config: config.export, logger });
 * exporter.start();
 * exporter.status().sinks; // [{ name: 'splunk', lag: 0, state: 'idle', ... }]
 * await exporter.stop();   // flushes, persists cursors
 * ```
 */
import { hostname } from 'node:os';
import type { AuditReader } from '../audit/index.js';
import { WardenError, resolveSecret } from '../core/index.js';
import { exportConfigSchema, type ExportConfig, type ExportConfigInput, type ExportSinkConfig } from './config.js';
import { openDatabase } from '../store/index.js';
import { SqliteExportCursorRepository } from './store/sqlite.js';
import type { ExportCursorRepository } from './store/types.js';
import { defaultFormatContext } from './formats/index.js';
import { createHecSink } from './sinks/hec.js';
import { createFileSink, createStreamSink } from './sinks/jsonl.js';
import { createSyslogSink } from './sinks/syslog.js';
import type { Sink } from './sinks/types.js';
import { SinkWorker, type ExportLogger, type SinkStatus } from './worker.js';

export interface ExporterOptions {
  reader: AuditReader;
  dataDir: string;
  /** Where cursors and leases live (PostgreSQL in a cluster); default: `warden.db` in `dataDir`, opened and closed here. */
  cursors?: ExportCursorRepository;
  config: ExportConfig | ExportConfigInput;
  logger?: ExportLogger;
  /** Environment for secret references (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

export interface ExporterStatus {
  running: boolean;
  sinks: SinkStatus[];
}

export interface Exporter {
  /** Starts every enabled sink's worker; idempotent. */
  start(): void;
  /** Stops the workers (an in-flight retry wait is cut short), closes the transports, persists cursors, releases the leases. */
  stop(): Promise<void>;
  status(): ExporterStatus;
}

/** How long `stop()` lets a delivery already in flight finish before cutting it. */
const STOP_DRAIN_MS = 5_000;

function createSink(config: ExportSinkConfig, env: NodeJS.ProcessEnv, host: string): Sink {
  switch (config.type) {
    case 'hec':
      return createHecSink(config, resolveSecret(config.hec.token, `export.sinks.${config.name}.hec.token`, env), host);
    case 'syslog':
      return createSyslogSink(config, host);
    case 'file':
      return createFileSink(config.file.path, config.file.mode);
    case 'stdout':
      return createStreamSink(process.stdout);
  }
}

/** Validates the config, resolves secrets and loads the stored cursors; throws `config_invalid` on bad config. */
export async function createExporter(options: ExporterOptions): Promise<Exporter> {
  const parsed = exportConfigSchema.safeParse(options.config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new WardenError('config_invalid', `export.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`, { cause: parsed.error });
  }
  const config = parsed.data;
  const env = options.env ?? process.env;
  const host = config.instance ?? hostname();
  const ctx = defaultFormatContext(host);
  const enabled = config.sinks.filter((s) => s.enabled);
  const sinks = enabled.map((s) => ({ config: s, sink: createSink(s, env, host) }));
  const controller = new AbortController();
  const sendController = new AbortController();
  const ownDb = options.cursors ? undefined : openDatabase(options.dataDir);
  let workers: SinkWorker[];
  try {
    const repo = options.cursors ?? new SqliteExportCursorRepository(ownDb!);
    workers = sinks.map(({ config: s, sink }) => new SinkWorker(s, sink, options.reader, repo, ctx, config.pollIntervalMs, { stop: controller.signal, send: sendController.signal }, options.logger));
    await Promise.all(workers.map((w) => w.load()));
  } catch (error) {
    ownDb?.close();
    for (const { sink } of sinks) void sink.close();
    throw new WardenError('internal', 'cannot open the export cursors', { cause: error });
  }
  let running: Promise<void>[] | undefined;
  let unsubscribe: (() => void) | undefined;
  let stopped = false;

  return {
    start(): void {
      if (running || stopped) return;
      unsubscribe = options.reader.onAppend(() => {
        for (const w of workers) w.wake();
      });
      running = workers.map((w) => w.run());
      options.logger?.info({ sinks: enabled.map((s) => s.name) }, 'export started');
    },

    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      unsubscribe?.();
      controller.abort();
      // Drain: a delivery in flight may finish (and its cursor be committed) within the grace period.
      const grace = setTimeout(() => sendController.abort(), STOP_DRAIN_MS);
      await Promise.all(running ?? []);
      clearTimeout(grace);
      await Promise.all(sinks.map(({ sink }) => sink.close()));
      for (const w of workers) {
        try {
          await w.finalCommit();
        } catch (error) {
          options.logger?.error({ error: String(error) }, 'export cursor commit failed at stop');
        }
      }
      if (ownDb?.open) ownDb.close();
    },

    status(): ExporterStatus {
      return { running: Boolean(running) && !stopped, sinks: workers.map((w) => w.status()) };
    },
  };
}
