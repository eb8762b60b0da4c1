/**
 * Entity uids written as Cedar text (`Taxpreparer::Document::"ABC"`), as the Cedar CLI's request files
 * and template-link files write them.
 *
 * @example parseUidText('App::User::"alice"') // { type: 'App::User', id: 'alice' }
 */
const UID = /^\s*((?:[_a-zA-Z][_a-zA-Z0-9]*\s*::\s*)*[_a-zA-Z][_a-zA-Z0-9]*)\s*::\s*"((?:[^"\\]|\\.)*)"\s*$/su;

export function parseUidText(text: string): { type: string; id: string } | undefined {
  const m = UID.exec(text);
  if (m === null) return undefined;
  const id = unescapeCedar(m[2] as string);
  if (id === undefined) return undefined;
  return { type: (m[1] as string).replace(/\s+/g, ''), id };
}

/** Cedar string escapes: \n \r \t \\ \0 \' \" \u{XXXX}. */
function unescapeCedar(s: string): string | undefined {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = s[++i];
    switch (n) {
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case '0':
        out += '\0';
        break;
      case '\\':
      case "'":
      case '"':
        out += n;
        break;
      case 'u': {
        const m = /^\{([0-9a-fA-F]{1,6})\}/.exec(s.slice(i + 1));
        if (m === null) return undefined;
        out += String.fromCodePoint(parseInt(m[1] as string, 16));
        i += m[0].length;
        break;
      }
      default:
        return undefined;
    }
  }
  return out;
}
