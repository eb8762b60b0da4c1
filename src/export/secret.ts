/** Resolves a secret reference from the export config: `env:NAME`, `file:PATH`, or a literal (discouraged). */
import { readFileSync } from 'node:fs';
import { WardenError } from '../core/errors.js';

export function resolveSecretRef(reference: string, where: string, env: NodeJS.ProcessEnv = process.env): string {
  if (reference.startsWith('env:')) {
    const name = reference.slice(4);
    const value = env[name];
    if (value === undefined || value === '') throw new WardenError('config_invalid', `${where}: environment variable \`${name}\` is not set`);
    return value;
  }
  if (reference.startsWith('file:')) {
    const path = reference.slice(5);
    try {
      const value = readFileSync(path, 'utf8').trim();
      if (value === '') throw new Error('empty');
      return value;
    } catch (error) {
      throw new WardenError('config_invalid', `${where}: cannot read secret file \`${path}\``, { cause: error });
    }
  }
  return reference;
}
