/**
 * A policy bundle: the Cedar policy files, the schema and the static entities that together form one
 * version of the rules. Bundles are read from a directory (or the embedded demo) and stored by version.
 */
import { parseJsonLossless, stringifyJsonLossless, packageRoot } from '../core/index.js';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { EntityJson } from './engine/types.js';

export interface TemplateLinkSpec {
  templateId: string;
  newId: string;
  values: Record<string, { type: string; id: string }>;
}

export interface PolicyBundle {
  /** Policy files by relative path, `.cedar` text. */
  files: Record<string, string>;
  schema: string;
  entities: EntityJson[];
  links: TemplateLinkSpec[];
}

export class BundleError extends Error {
  constructor(
    message: string,
    readonly problems: PolicyProblem[] = [],
  ) {
    super(message);
    this.name = 'BundleError';
  }
}

export interface PolicyProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export function demoPolicyDir(): string {
  return join(packageRoot(), 'demo', 'policies');
}

function listCedarFiles(dir: string, root = dir): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listCedarFiles(path, root));
    else if (name.endsWith('.cedar')) out.push(relative(root, path));
  }
  return out;
}

/**
 * Reads a bundle. `schemaFile` and `entitiesFile` default to the demo's when empty; `links.json` in the
 * policy directory, if present, holds template links.
 */
export function readBundle(dir: string, schemaFile: string, entitiesFile: string): PolicyBundle {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new BundleError(`policy directory \`${dir}\` does not exist`);
  const files: Record<string, string> = {};
  for (const file of listCedarFiles(dir)) files[file] = readFileSync(join(dir, file), 'utf8');
  if (Object.keys(files).length === 0) throw new BundleError(`policy directory \`${dir}\` holds no .cedar files`);
  const schemaPath = schemaFile || join(packageRoot(), 'demo', 'schema.cedarschema');
  const entitiesPath = entitiesFile || join(packageRoot(), 'demo', 'entities.json');
  const linksPath = join(dir, 'links.json');
  return {
    files,
    schema: readFileSync(schemaPath, 'utf8'),
    entities: parseJsonFile<EntityJson[]>(entitiesPath, 'entities'),
    links: existsSync(linksPath) ? parseJsonFile<TemplateLinkSpec[]>(linksPath, 'template links') : [],
  };
}

/** Cedar data files are read losslessly: Longs beyond 2^53 stay exact (see src/core/json). */
function parseJsonFile<T>(path: string, what: string): T {
  try {
    const value = parseJsonLossless(readFileSync(path, 'utf8')) as unknown;
    if (!Array.isArray(value)) throw new Error('expected a JSON array');
    return value as T;
  } catch (error) {
    throw new BundleError(`cannot read ${what} file \`${path}\`: ${(error as Error).message}`);
  }
}

/** A stable digest of a bundle, so an unchanged directory does not create a new version. */
export function bundleDigest(bundle: PolicyBundle): string {
  const ordered = { files: Object.fromEntries(Object.entries(bundle.files).sort(([a], [b]) => a.localeCompare(b))), schema: bundle.schema, entities: bundle.entities, links: bundle.links };
  // the lossless writer gives JSON.stringify's text for any bundle without Longs beyond 2^53, so the
  // digests of bundles stored before it are unchanged
  return createHash('sha256').update(stringifyJsonLossless(ordered) ?? '').digest('hex');
}
