/**
 * A JWKS read from a local file and watched: a changed file is reloaded; a file that cannot be read or
 * parsed keeps the last good keys and reports the problem, so a half-written file never locks users out
 * nor lets a bad key set in. The file is polled (a `stat` per interval, off the request path) and
 * compared with the file as last read, so replacements by rename (editors, secret managers) are seen
 * where `fs.watch` may lose the file, and no change can fall between two polls unnoticed.
 */
import { readFileSync, statSync, type Stats } from 'node:fs';
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

export class JwksFile {
  private current: JWTVerifyGetKey;
  private timer: NodeJS.Timeout | undefined;
  /** The file as last read: a change is judged against it, not against the watcher's first poll. */
  private seen: Stats | undefined;

  /** Throws, naming the file, when the initial read fails: Warden does not start without the keys. */
  constructor(
    readonly path: string,
    private readonly onReloadError: (error: Error) => void,
  ) {
    this.seen = statOf(path);
    this.current = createLocalJWKSet(readJwks(path));
  }

  /** The key resolver for `jwtVerify`: always the latest good key set. */
  readonly keys: JWTVerifyGetKey = (header, token) => this.current(header, token);

  /** Reads the file again; on failure keeps the previous keys and returns false. */
  reload(): boolean {
    try {
      this.seen = statOf(this.path);
      this.current = createLocalJWKSet(readJwks(this.path));
      return true;
    } catch (error) {
      this.onReloadError(error as Error);
      return false;
    }
  }

  watch(intervalMs = 1000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      const now = statOf(this.path);
      const seen = this.seen;
      const changed = !now || !seen || now.mtimeMs !== seen.mtimeMs || now.size !== seen.size || now.ino !== seen.ino;
      // A file that stays missing is reported once, not once per poll.
      if (changed && (now || seen)) this.reload();
    }, intervalMs);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    // A missing file is reported by the read that follows; here it only means "changed".
    return undefined;
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
