/**
 * What an API key's scopes allow, checked before the policy decision (a key narrows what its principal's
 * policies allow; it never widens it). The vocabulary:
 *
 * | scope                         | allows                                                               |
 * | ----------------------------- | -------------------------------------------------------------------- |
 * | `*`                           | everything the principal's policies allow                            |
 * | `chat` / `chat:MODEL`         | POST /v1/chat/completions and /v1/completions (action `invoke`)      |
 * | `embeddings` / `embeddings:MODEL` | POST /v1/embeddings (action `embed`)                             |
 * | `routes`                      | every generic route (`routes:` in the configuration)                 |
 * | `route:NAME` / `route:NAME:ACTION` | one route, or one Cedar action on it                            |
 * | `admin` / `admin:AREA`        | /admin, or one area: the first path segment (`admin:keys`, `admin:decisions`) |
 * | `authorize`                   | the decision API, POST /v1/authorize                                 |
 * | `mcp` / `mcp:SERVER`          | the MCP gateway, every server or one (`/mcp/SERVER`)                 |
 *
 * GET /v1/models lists only the models the scopes reach. A scope outside this vocabulary is refused when a
 * key is created, and grants nothing if one is found in the store (fail closed).
 *
 * @example
 * scopeAllows(['chat:demo-chat'], { kind: 'llm', operation: 'chat', model: 'demo-chat' }) // true
 * scopeAllows(['chat'], { kind: 'llm', operation: 'embeddings', model: 'demo-embed' })   // false
 */
import { WardenError, type Identity } from '../core/index.js';

export type ScopeNeed =
  | { kind: 'llm'; operation: 'chat' | 'embeddings'; model: string }
  | { kind: 'route'; name: string; action: string }
  | { kind: 'admin'; area: string }
  | { kind: 'authorize' }
  | { kind: 'mcp'; server: string };

interface Scope {
  family: 'all' | 'chat' | 'embeddings' | 'route' | 'admin' | 'authorize' | 'mcp';
  /** Model, route name or admin area; absent = any. */
  target?: string;
  /** Cedar action on a route; absent = any. */
  action?: string;
}

const SEGMENT = /^[A-Za-z0-9._-]{1,100}$/;
/** Model ids may carry `:` and `/` (e.g. `llama3:8b`, `org/model`): everything after `chat:` is the model. */
const MODEL = /^[^\s*]{1,200}$/;

/** The parsed scope, or undefined for anything outside the vocabulary. */
function parse(scope: string): Scope | undefined {
  if (scope === '*') return { family: 'all' };
  if (scope === 'routes') return { family: 'route' };
  if (scope === 'authorize') return { family: 'authorize' };
  const colon = scope.indexOf(':');
  const head = colon < 0 ? scope : scope.slice(0, colon);
  const rest = colon < 0 ? undefined : scope.slice(colon + 1);
  if (head === 'chat' || head === 'embeddings') {
    if (rest === undefined) return { family: head };
    return MODEL.test(rest) ? { family: head, target: rest } : undefined;
  }
  if (head === 'admin' || head === 'mcp') {
    if (rest === undefined) return { family: head };
    return SEGMENT.test(rest) ? { family: head, target: rest } : undefined;
  }
  if (head === 'route' && rest !== undefined) {
    const [name, action, extra] = rest.split(':');
    if (extra !== undefined || !SEGMENT.test(name!) || (action !== undefined && !SEGMENT.test(action))) return undefined;
    return { family: 'route', target: name!, ...(action !== undefined ? { action } : {}) };
  }
  return undefined;
}

/** Whether `held` allows everything `wanted` allows. */
function covers(held: Scope, wanted: Scope): boolean {
  if (held.family === 'all') return true;
  if (held.family !== wanted.family) return false;
  if (held.target !== undefined && held.target !== wanted.target) return false;
  return held.action === undefined || held.action === wanted.action;
}

/** The narrowest scope that allows a request, as it is written in a key. */
export function scopeFor(need: ScopeNeed): string {
  switch (need.kind) {
    case 'llm':
      return `${need.operation}:${need.model}`;
    case 'route':
      return `route:${need.name}:${need.action}`;
    case 'admin':
      return `admin:${need.area}`;
    case 'authorize':
      return 'authorize';
    case 'mcp':
      return `mcp:${need.server}`;
  }
}

/** Whether scopes allow a request. */
export function scopeAllows(scopes: readonly string[], need: ScopeNeed): boolean {
  const wanted = parse(scopeFor(need));
  if (!wanted) return false;
  return scopes.some((s) => {
    const held = parse(s);
    return held !== undefined && covers(held, wanted);
  });
}

/**
 * Whether the identity's credential allows the request. Only API keys carry Warden scopes: a JWT's
 * `scope` claim belongs to its issuer's vocabulary (policies see it as `context.authn.scopes`), and an
 * mTLS workload is not scoped.
 */
export function credentialAllows(identity: Identity, need: ScopeNeed): boolean {
  return identity.authentication.method !== 'apikey' || scopeAllows(identity.authentication.scopes, need);
}

/** Throws `insufficient_scope` (403) when the credential does not allow the request. */
export function requireScope(identity: Identity, need: ScopeNeed): void {
  if (!credentialAllows(identity, need)) throw new WardenError('insufficient_scope', `the API key lacks the scope \`${scopeFor(need)}\``, { details: { scope: scopeFor(need) } });
}

/** Validates scopes for a new key: each must be in the vocabulary. */
export function validateScopes(scopes: readonly string[]): void {
  const bad = scopes.find((s) => parse(s) === undefined);
  if (bad !== undefined) {
    throw new WardenError('bad_request', `unknown scope \`${bad.slice(0, 100)}\`: use \`*\`, \`chat[:MODEL]\`, \`embeddings[:MODEL]\`, \`routes\`, \`route:NAME[:ACTION]\`, \`admin[:AREA]\`, \`mcp[:SERVER]\` or \`authorize\``);
  }
}

/** The first of `requested` that `held` does not cover (a key may not create a key broader than itself). */
export function scopeNotCovered(held: readonly string[], requested: readonly string[]): string | undefined {
  const heldParsed = held.map(parse).filter((s): s is Scope => s !== undefined);
  return requested.find((r) => {
    const wanted = parse(r);
    return wanted === undefined || !heldParsed.some((h) => covers(h, wanted));
  });
}
