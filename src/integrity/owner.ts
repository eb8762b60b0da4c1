/** Names the owner of a file from its uid (via /etc/passwd where readable): `alice (uid 1000)`. */
import { readFileSync } from 'node:fs';

let names: Map<number, string> | undefined;

export function ownerOf(uid: number): string {
  if (!names) {
    names = new Map();
    try {
      for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
        const [name, , id] = line.split(':');
        if (name && id !== undefined && /^\d+$/.test(id)) names.set(Number(id), name);
      }
    } catch {
      // not a Unix system, or not readable: uids only
    }
  }
  const name = names.get(uid);
  return name ? `${name} (uid ${uid})` : `uid ${uid}`;
}
