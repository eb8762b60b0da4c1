/**
 * `warden export status [--data-dir D] [--json]`: each SIEM sink's persisted cursor (the next log
 * position it will deliver), records delivered and dead letters, read from `<data-dir>/warden.db`.
 * With `--url URL` it asks a running Warden instead (`GET /admin/export/status`, with the bearer token
 * from the environment variable named by `--token-env`), which adds the live state, log size and lag.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, writeLine, type CliIO, type Command } from '../command.js';
import type { ExporterStatus } from '../../export/index.js';
import { databaseUrlFor } from '../../app/index.js';
import { COMMON_OPTIONS, configFor, withStateStores } from '../options.js';

interface Row {
  sink: string;
  state?: string;
  position: number;
  logSize?: number;
  lag?: number;
  delivered: number;
  deadLettered: number;
  updated?: string;
  lastError?: string;
}

function print(rows: Row[], io: CliIO, json: boolean): void {
  if (json) {
    writeLine(io.stdout, JSON.stringify({ sinks: rows }, null, 2));
    return;
  }
  if (rows.length === 0) {
    writeLine(io.stdout, 'no export sinks have a cursor yet');
    return;
  }
  writeLine(io.stdout, ['SINK'.padEnd(20), 'STATE'.padEnd(9), 'CURSOR'.padStart(10), 'LOG'.padStart(10), 'LAG'.padStart(8), 'DELIVERED'.padStart(10), 'DEAD'.padStart(5)].join(' '));
  for (const r of rows) {
    writeLine(
      io.stdout,
      [r.sink.padEnd(20), (r.state ?? '-').padEnd(9), String(r.position).padStart(10), String(r.logSize ?? '-').padStart(10), String(r.lag ?? '-').padStart(8), String(r.delivered).padStart(10), String(r.deadLettered).padStart(5)].join(' ') +
        (r.lastError ? `  last error: ${r.lastError}` : ''),
    );
  }
}

async function fromServer(url: string, token: string | undefined): Promise<Row[]> {
  const response = await fetch(new URL('/admin/export/status', url), { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const status = (await response.json()) as ExporterStatus;
  return status.sinks.map((s) => ({
    sink: s.name,
    state: s.state,
    position: s.committed,
    logSize: s.logSize,
    lag: s.lag,
    delivered: s.deliveredTotal,
    deadLettered: s.deadLettered,
    ...(s.lastError ? { lastError: s.lastError } : {}),
  }));
}

export const exportStatusCommand: Command = {
  name: 'export status',
  summary: "show each SIEM export sink's cursor, lag and dead letters",
  usage: [
    'warden export status [--data-dir DIR] [--config FILE] [--json]',
    'warden export status --url URL [--token-env NAME] [--json]',
    '',
    '--data-dir   Warden data directory holding warden.db (default: as `warden start` finds it)',
    '--url        base URL of a running Warden admin API: adds live state, log size and lag',
    '--token-env  environment variable holding an admin bearer token for --url',
    '--json       machine-readable output',
  ].join('\n'),
  async run(args: string[], io: CliIO): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({ args, options: { ...COMMON_OPTIONS, url: { type: 'string' }, 'token-env': { type: 'string' }, json: { type: 'boolean', default: false } } });
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    const json = parsed.values.json === true;
    if (parsed.values.url) {
      const tokenEnv = parsed.values['token-env'];
      print(await fromServer(parsed.values.url, tokenEnv ? io.env[tokenEnv] : undefined), io, json);
      return 0;
    }
    const { config } = configFor(parsed.values, io);
    if (!databaseUrlFor(config, io.env) && !existsSync(join(config.dataDir, 'warden.db'))) {
      writeLine(io.stderr, `no warden.db in \`${config.dataDir}\``);
      return 1;
    }
    await withStateStores(parsed.values, io, async ({ stores }) => {
      const repo = stores.exportCursors;
      const rows: Row[] = [];
      for (const c of await repo.cursors()) rows.push({ sink: c.sink, position: c.position, delivered: c.delivered, deadLettered: await repo.deadLetterCount(c.sink), updated: c.updatedAt });
      print(rows, io, json);
    });
    return 0;
  },
};
