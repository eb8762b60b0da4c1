/**
 * A JWKS read from a local file and watched: a changed file is reloaded; a file that cannot be read or
 * parsed keeps the last good keys and reports the problem, so a half-written file never locks users out
 * nor lets a bad key set in. Polling (`fs.watchFile`) sees replacements by rename, which editors and
 * secret managers use, where `fs.watch` may lose the file.
 */
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

export class JwksFile {
  private current: JWTVerifyGetKey;
  private watching = false;

  /** Throws, naming the file, when the initial read fails: Warden does not start without the keys. */
  constructor(
    readonly path: string,
    private readonly onReloadError: (error: Error) => void,
  ) {
    this.current = createLocalJWKSet(readJwks(path));
  }

  /** The key resolver for `jwtVerify`: always the latest good key set. */
  readonly keys: JWTVerifyGetKey = (header, token) => this.current(header, token);

  /** Reads the file again; on failure keeps the previous keys and returns false. */
  reload(): boolean {
    try {
      this.current = createLocalJWKSet(readJwks(this.path));
      return true;
    } catch (error) {
      this.onReloadError(error as Error);
      return false;
    }
  }

  watch(intervalMs = 1000): void {
    if (this.watching) return;
    this.watching = true;
    watchFile(this.path, { interval: intervalMs, persistent: false }, (now: Stats, before: Stats) => {
      if (now.mtimeMs !== before.mtimeMs || now.size !== before.size || now.ino !== before.ino) this.reload();
    });
  }

  close(): void {
    if (this.watching) unwatchFile(this.path);
    this.watching = false;
  }
}

function readJwks(path: string): JSONWebKeySet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the JWKS file \`${path}\`: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as { keys?: unknown }).keys)) {
    throw new Error(`the JWKS file \`${path}\` must hold a JSON object with a \`keys\` array`);
  }
  return parsed as JSONWebKeySet;
}
