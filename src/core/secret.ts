/**
 * Secret references in config: `env:NAME` or `file:PATH`; a bare string is taken literally (discouraged).
 * A reference that cannot be resolved is `config_invalid`, naming the key path, never the value.
 */
import { readFileSync } from 'node:fs';
import { WardenError } from './errors.js';

export function resolveSecret(reference: string, keyPath: string, env: NodeJS.ProcessEnv = process.env): string {
  if (reference.startsWith('env:')) {
    const name = reference.slice(4);
    const value = env[name];
    if (value === undefined || value === '') throw new WardenError('config_invalid', `${keyPath}: environment variable \`${name}\` is not set`);
    return value;
  }
  if (reference.startsWith('file:')) {
    const path = reference.slice(5);
    try {
      const value = readFileSync(path, 'utf8').trim();
      if (value === '') throw new Error('empty');
      return value;
    } catch (error) {
      throw new WardenError('config_invalid', `${keyPath}: cannot read secret file \`${path}\``, { cause: error });
    }
  }
  return reference;
}
