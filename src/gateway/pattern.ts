/** Path patterns with `:param` segments and an optional trailing `*` (the rest of the path). */

export interface PathPattern {
  source: string;
  match(path: string): Record<string, string> | undefined;
}

export function compilePattern(source: string): PathPattern {
  const segments = source.split('/').filter(Boolean);
  const wildcard = segments.at(-1) === '*';
  if (wildcard) segments.pop();
  return {
    source,
    match(path: string): Record<string, string> | undefined {
      const parts = path.split('/').filter(Boolean);
      if (wildcard ? parts.length < segments.length : parts.length !== segments.length) return undefined;
      const params: Record<string, string> = {};
      for (let i = 0; i < segments.length; i++) {
        const segment = segments[i]!;
        let part: string;
        try {
          part = decodeURIComponent(parts[i]!);
        } catch {
          return undefined;
        }
        if (segment.startsWith(':')) params[segment.slice(1)] = part;
        else if (segment !== part) return undefined;
      }
      if (wildcard) params['*'] = parts.slice(segments.length).join('/');
      return params;
    },
  };
}

/** Fills `{name}` placeholders from params; values are URI-encoded when `encode` is set. */
export function fillTemplate(template: string, params: Record<string, string>, encode = false): string {
  return template.replace(/\{([\w*]+)\}/g, (_, name: string) => {
    const value = params[name] ?? '';
    return encode ? encodeURIComponent(value) : value;
  });
}
