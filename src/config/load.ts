/**
 * Loads the configuration with the precedence flags > environment > config file > defaults.
 * A file is found by `--config`, then `WARDEN_CONFIG`, then `./warden.yaml`; with none, Warden runs the
 * embedded demo configuration. Errors name the key path and what was expected.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../core/index.js';
import { configSchema, type WardenConfig } from './schema.js';
import { demoConfig } from './demo.js';
import { unknownKeys } from './unknown-keys.js';

export interface ConfigOverrides {
  configFile?: string;
  port?: number;
  host?: string;
  dataDir?: string;
  logLevel?: string;
}

export interface LoadedConfig {
  config: WardenConfig;
  /** The file read, or undefined for the embedded demo configuration. */
  file: string | undefined;
  /** Directory that relative paths in the file resolve against. */
  baseDir: string;
}

export function formatIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(root)', message: issue.message }));
}

function findConfigFile(overrides: ConfigOverrides, env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  const explicit = overrides.configFile ?? env.WARDEN_CONFIG;
  if (explicit) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) throw new ConfigError(`config file \`${path}\` does not exist`);
    return path;
  }
  const local = resolve(cwd, 'warden.yaml');
  return existsSync(local) ? local : undefined;
}

function readRawConfig(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file \`${file}\`: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`config file \`${file}\` is not valid YAML: ${(error as Error).message}`);
  }
  // An empty file is almost always a mistake (a failed copy, the wrong path), not "all defaults".
  if (parsed === null || parsed === undefined) throw new ConfigError(`config file \`${file}\` is empty; write at least one setting (see README.md)`);
  return parsed;
}

function envOverrides(env: NodeJS.ProcessEnv): ConfigOverrides {
  const out: ConfigOverrides = {};
  if (env.WARDEN_PORT !== undefined && env.WARDEN_PORT !== '') {
    const port = Number(env.WARDEN_PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('WARDEN_PORT: expected an integer from 0 to 65535', [{ path: 'server.port', message: 'expected an integer from 0 to 65535' }]);
    out.port = port;
  }
  if (env.WARDEN_HOST) out.host = env.WARDEN_HOST;
  if (env.WARDEN_DATA_DIR) out.dataDir = env.WARDEN_DATA_DIR;
  if (env.WARDEN_LOG_LEVEL) out.logLevel = env.WARDEN_LOG_LEVEL;
  return out;
}

function applyOverrides(raw: Record<string, unknown>, o: ConfigOverrides): void {
  const server = (raw.server ??= {}) as Record<string, unknown>;
  if (o.port !== undefined) server.port = o.port;
  if (o.host !== undefined) server.host = o.host;
  if (o.dataDir !== undefined) raw.dataDir = o.dataDir;
  if (o.logLevel !== undefined) ((raw.log ??= {}) as Record<string, unknown>).level = o.logLevel;
}

export function loadConfig(flags: ConfigOverrides, env: NodeJS.ProcessEnv, cwd: string): LoadedConfig {
  const file = findConfigFile(flags, env, cwd);
  const raw = file ? readRawConfig(file) : structuredClone(demoConfig);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError('the config file must hold a YAML mapping');
  const rawRecord = raw as Record<string, unknown>;
  // Flag and environment paths are relative to the working directory, file paths to the file.
  applyOverrides(rawRecord, envOverrides(env));
  applyOverrides(rawRecord, flags);
  const parsed = configSchema.safeParse(rawRecord);
  if (!parsed.success) {
    const issues = formatIssues(parsed.error);
    throw new ConfigError(`invalid configuration${file ? ` in \`${file}\`` : ''}:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`, issues);
  }
  const unknown = unknownKeys(rawRecord, parsed.data);
  if (unknown.length) {
    throw new ConfigError(`invalid configuration${file ? ` in \`${file}\`` : ''}:\n${unknown.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`, unknown);
  }
  const baseDir = file ? dirname(file) : cwd;
  const config = parsed.data;
  const dataDirFromCli = flags.dataDir !== undefined || Boolean(env.WARDEN_DATA_DIR);
  config.dataDir = resolve(dataDirFromCli ? cwd : baseDir, config.dataDir);
  return { config, file, baseDir };
}

/** Resolves a path from the config file against the file's directory. */
export function resolveConfigPath(loaded: LoadedConfig, path: string): string {
  return isAbsolute(path) ? path : resolve(loaded.baseDir, path);
}
