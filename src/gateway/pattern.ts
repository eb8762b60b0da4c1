/** Path patterns with `:param` segments and an optional trailing `*` (the rest of the path). */

export interface PathPattern {
  source: string;
  match(path: string): Record<string, string> | undefined;
}

/**
 * `forwarded`: the path (or its parameters) reaches an upstream, so a path the upstream could resolve to
 * another resource than the one decided about matches nothing (see `ambiguous`).
 */
export function compilePattern(source: string, options: { forwarded?: boolean } = {}): PathPattern {
  const forwarded = options.forwarded ?? false;
  const segments = source.split('/').filter(Boolean);
  const wildcard = segments.at(-1) === '*';
  if (wildcard) segments.pop();
  return {
    source,
    match(path: string): Record<string, string> | undefined {
      if (forwarded && ambiguous(path)) return undefined;
      const parts = path.split('/').filter(Boolean);
      if (wildcard ? parts.length < segments.length : parts.length !== segments.length) return undefined;
      const params: Record<string, string> = {};
      for (let i = 0; i < segments.length; i++) {
        const segment = segments[i]!;
        let part: string;
        try {
          part = decodeURIComponent(parts[i]!);
        } catch {
          // A segment with invalid percent-encoding matches no pattern: the route is not found.
          return undefined;
        }
        // A parameter that decodes to a path separator or a NUL names something else upstream.
        if (forwarded && segment.startsWith(':') && /[/\\\0]/.test(part)) return undefined;
        if (segment.startsWith(':')) params[segment.slice(1)] = part;
        else if (segment !== part) return undefined;
      }
      if (wildcard) params['*'] = parts.slice(segments.length).join('/');
      return params;
    },
  };
}

/**
 * A path that an upstream could resolve to another resource than the one the decision was about: an empty
 * segment (`//`) or a dot segment (`.`, `..`, also percent-encoded), which servers and proxies normalise
 * differently. Such paths match no route (fail closed).
 */
function ambiguous(path: string): boolean {
  const segments = path.split('/').slice(1);
  return segments.some((segment, i) => {
    if (segment === '') return i !== segments.length - 1;
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return true;
    }
    return decoded === '.' || decoded === '..';
  });
}

/** Fills `{name}` placeholders from params; values are URI-encoded when `encode` is set. */
export function fillTemplate(template: string, params: Record<string, string>, encode = false): string {
  return template.replace(/\{([\w*]+)\}/g, (_, name: string) => {
    const value = params[name] ?? '';
    return encode ? encodeURIComponent(value) : value;
  });
}
