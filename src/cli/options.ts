/** Flags shared by the commands that read configuration or state: `--config` and `--data-dir`. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, type LoadedConfig } from '../config/index.js';
import { openDatabase, type SqliteDatabase } from '../store/index.js';
import { databaseUrlFor, openStateStores, type StateStores } from '../app/index.js';
import type { CliIO } from './command.js';

export const COMMON_OPTIONS = {
  config: { type: 'string' },
  'data-dir': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O, allowPositionals = false) {
  return parseArgs({ args, options: { ...COMMON_OPTIONS, ...options }, allowPositionals, strict: true });
}

/** Loads the configuration with the command's `--config` / `--data-dir` flags applied. */
export function configFor(values: { config?: string | boolean | undefined; 'data-dir'?: string | boolean | undefined }, io: CliIO): LoadedConfig {
  return loadConfig(
    {
      ...(typeof values.config === 'string' ? { configFile: values.config } : {}),
      ...(typeof values['data-dir'] === 'string' ? { dataDir: values['data-dir'] } : {}),
    },
    io.env,
    io.cwd,
  );
}

/**
 * Opens the store of the configured data directory (safe beside a running Warden: SQLite WAL). Commands
 * that only read pass `existing`: a mistyped `--data-dir` is then an error, not a new empty database
 * that answers "nothing found".
 */
export function openStore(values: Parameters<typeof configFor>[0], io: CliIO, options: { existing?: boolean } = {}): { loaded: LoadedConfig; db: SqliteDatabase } {
  const loaded = configFor(values, io);
  return { loaded, db: openDataDir(loaded.config.dataDir, options) };
}

function openDataDir(dataDir: string, options: { existing?: boolean }): SqliteDatabase {
  if (options.existing && !existsSync(join(dataDir, 'warden.db'))) {
    throw new Error(`no Warden data in \`${dataDir}\` (no warden.db); check --data-dir or --config`);
  }
  return openDatabase(dataDir);
}

/** Runs `fn` with the store open and closes it afterwards, whatever happens. */
export async function withStore<T>(
  values: Parameters<typeof configFor>[0],
  io: CliIO,
  fn: (store: { loaded: LoadedConfig; db: SqliteDatabase }) => T | Promise<T>,
  options: { existing?: boolean } = {},
): Promise<T> {
  const store = openStore(values, io, options);
  try {
    return await fn(store);
  } finally {
    store.db.close();
  }
}

/**
 * Runs `fn` with the keys and policy repositories open: on PostgreSQL when `WARDEN_DATABASE_URL` or
 * `cluster.databaseUrl` is set (no local database is touched), else on the data directory's SQLite
 * database, as `warden start` would choose (`existing` as for `openStore`). Everything is closed afterwards,
 * whatever happens.
 */
export async function withStateStores<T>(
  values: Parameters<typeof configFor>[0],
  io: CliIO,
  fn: (store: { loaded: LoadedConfig; stores: StateStores }) => T | Promise<T>,
  options: { existing?: boolean } = {},
): Promise<T> {
  const loaded = configFor(values, io);
  let db: SqliteDatabase | undefined;
  const stores = await openStateStores({ databaseUrl: databaseUrlFor(loaded.config, io.env), sqlite: () => (db = openDataDir(loaded.config.dataDir, options)) });
  try {
    return await fn({ loaded, stores });
  } finally {
    await stores.close();
    db?.close();
  }
}
