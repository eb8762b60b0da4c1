/**
 * Scans a tool definition before any agent sees it: hidden instructions in its texts (the guard's
 * injection detector, in document mode, since a description is content an agent reads and may obey),
 * Unicode tricks that hide text from a reviewer (tag characters, bidi controls, zero-width characters,
 * stacked marks, homoglyphs), and references to other tools ("tool shadowing": a description that tells
 * the agent how to use, or not to use, another tool).
 */
import { detectInjection, normalizeUnicode } from '../../guard/index.js';
import type { ToolDefinition } from './definition.js';

export interface DefinitionFinding {
  /** `injection`, `unicode:<evasion>`, `tool_reference:<name>` or `tool_reference:generic`. */
  kind: string;
  /** Where: `description`, `title`, `inputSchema.properties.x.description`, `name`. */
  path: string;
}

/** Wording that addresses the agent's use of tools in general, which a tool's own description has no reason to. */
const GENERIC_TOOL_REFERENCE = /\b(?:(?:any|all|every|other|another)\s+(?:other\s+)?tools?|(?:before|instead of|after)\s+(?:calling|using|invoking)\b)/i;

/** Collects the texts of a definition with their paths (descriptions and titles at any depth of the schemas). */
function textsOf(definition: ToolDefinition): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [{ path: 'name', text: definition.name }];
  if (definition.title) out.push({ path: 'title', text: definition.title });
  if (definition.description) out.push({ path: 'description', text: definition.description });
  const walk = (value: unknown, path: string, depth: number): void => {
    if (depth > 32 || out.length > 1000 || value === null || typeof value !== 'object') return;
    for (const [k, v] of Object.entries(value)) {
      const at = `${path}.${k}`;
      if (typeof v === 'string' && (k === 'description' || k === 'title')) out.push({ path: at, text: v });
      else if (typeof v === 'string' && path.endsWith('.enum')) out.push({ path: at, text: v });
      else walk(v, at, depth + 1);
    }
  };
  walk(definition.inputSchema, 'inputSchema', 0);
  if (definition.outputSchema) walk(definition.outputSchema, 'outputSchema', 0);
  return out;
}

/**
 * Findings for one definition; `otherTools` are the names of the other tools Warden knows (on any server),
 * a mention of which in this definition's texts is a reference to another tool.
 */
export function scanDefinition(definition: ToolDefinition, otherTools: Iterable<string>): DefinitionFinding[] {
  const findings: DefinitionFinding[] = [];
  const others = [...new Set(otherTools)].filter((n) => n !== definition.name && n.length >= 3);
  for (const { path, text } of textsOf(definition)) {
    const normal = normalizeUnicode(text);
    for (const evasion of normal.evasions) findings.push({ kind: `unicode:${evasion}`, path });
    if (path === 'name') continue;
    if (detectInjection(text, { kind: 'document' }).flagged) findings.push({ kind: 'injection', path });
    const folded = normal.text.toLowerCase();
    for (const other of others) {
      if (mentions(folded, other.toLowerCase())) findings.push({ kind: `tool_reference:${other}`, path });
    }
    if (GENERIC_TOOL_REFERENCE.test(normal.text)) findings.push({ kind: 'tool_reference:generic', path });
  }
  return findings;
}

function mentions(text: string, name: string): boolean {
  let from = 0;
  for (;;) {
    const at = text.indexOf(name, from);
    if (at < 0) return false;
    const before = at === 0 ? '' : text[at - 1]!;
    const after = text[at + name.length] ?? '';
    if (!/[\w-]/.test(before) && !/[\w-]/.test(after)) return true;
    from = at + 1;
  }
}
