/** Secret references in config: `env:NAME` or `file:PATH`; a bare string is taken literally (discouraged). */
import { readFileSync } from 'node:fs';
import { ConfigError } from './load.js';

export function resolveSecret(reference: string, keyPath: string, env: NodeJS.ProcessEnv): string {
  if (reference === '') return '';
  if (reference.startsWith('env:')) {
    const value = env[reference.slice(4)];
    if (value === undefined || value === '') throw new ConfigError(`${keyPath}: environment variable \`${reference.slice(4)}\` is not set`, [{ path: keyPath, message: 'environment variable not set' }]);
    return value;
  }
  if (reference.startsWith('file:')) {
    try {
      return readFileSync(reference.slice(5), 'utf8').trim();
    } catch {
      throw new ConfigError(`${keyPath}: cannot read secret file \`${reference.slice(5)}\``, [{ path: keyPath, message: 'secret file unreadable' }]);
    }
  }
  return reference;
}
