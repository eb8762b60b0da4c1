// Mutation-check tests for src/guard/request/inspect.ts (see docs/mutation.md): what the request inspector
// passes to the injection detector, the exact findings, blocks and messages, what is redacted or tokenized
// and where, the scan limit's boundaries, and that an internal error reaches onInternalError and follows
// the route's fail mode. A recording detector stands in for the model so each call can be checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspectRequest as inspectRaw, emptyContext, type InjectionDetector } from '../../src/guard/request/inspect.js';
import { guardConfigSchema, resolveRouteOptions, type GuardObligation, type RouteGuardOptions } from '../../src/guard/config.js';
import { TokenVault } from '../../src/guard/dlp/index.js';
import type { RequestInspection } from '../../src/guard/types.js';

const CARD = '4111 1111 1111 1111';
const CARD2 = '5555 5555 5555 4444';
const STRIPE = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';

function routeOf(config: Record<string, unknown> = {}, obligations: GuardObligation[] = []): RouteGuardOptions {
  return resolveRouteOptions(guardConfigSchema.parse(config), 'default', obligations);
}

/** Flags texts containing INJECT (score 0.97); a text may carry its own score as `s=0.NNN`. Records each call. */
function recorder() {
  const calls: { text: string; options: Parameters<InjectionDetector>[1] }[] = [];
  const detect: InjectionDetector = (text, options) => {
    calls.push({ text, options });
    const m = /s=(0\.\d+)/.exec(text);
    if (text.includes('INJECT')) return { score: 0.97, flagged: true, reasons: ['signature:test'] };
    return { score: m ? Number(m[1]) : 0.02, flagged: false, reasons: [] };
  };
  return { calls, detect };
}

/** inspectRequest, checking on every call (every return path) that latencyMs is the time spent inside the call. */
function inspectRequest(...args: Parameters<typeof inspectRaw>): RequestInspection {
  const before = performance.now();
  const r = inspectRaw(...args);
  const after = performance.now();
  assert.equal(typeof r.latencyMs === 'number' && r.latencyMs >= 0 && r.latencyMs <= after - before, true, `latency ${r.latencyMs} is within the call's ${after - before} ms`);
  return r;
}

const chat = (...contents: string[]) => ({ model: 'm', messages: contents.map((content) => ({ role: 'user', content })) });
const contentAt = (r: RequestInspection, i: number) => (r.body as { messages: { content: unknown }[] }).messages[i]!.content;

test('a body the extractor refuses is blocked with its code and message, nothing scanned', () => {
  const { calls, detect } = recorder();
  const route = { ...routeOf(), maxDepth: 4 };
  const body = { messages: [{ role: 'user', content: [{ type: 'text', text: [CARD] }] }] };
  const r = inspectRequest(body, route, { detectInjection: detect });
  const { latencyMs: _l, ...rest } = r;
  assert.deepEqual(rest, { context: emptyContext(), findings: [], body, unscanned: [], truncated: false, blocked: { code: 'validation_failed', message: 'the request body nests deeper than 4 levels' } }, 'exact result');
  assert.equal(r.body, body, 'the same body');
  assert.equal(calls.length, 0, 'nothing reached the detector');
  const u = inspectRequest({ messages: [{ role: 'user', content: 'x\uD800' }] }, routeOf(), { detectInjection: detect });
  assert.deepEqual(u.blocked, { code: 'bad_request', message: 'the text at `messages.0.content` is not valid Unicode' }, 'invalid Unicode');
  assert.deepEqual(emptyContext(), { injectionScore: 0, flagged: false, piiTypes: [], secretTypes: [] }, 'the empty context');
});

test('an internal error reaches onInternalError: closed routes refuse, open routes pass marked', () => {
  const boom = new Error('detector broke');
  const detectInjection: InjectionDetector = () => {
    throw boom;
  };
  const seen: unknown[] = [];
  const body = chat('hi');
  const closed = inspectRequest(body, routeOf(), { detectInjection, onInternalError: (e) => seen.push(e) });
  const { latencyMs: _a, ...c } = closed;
  assert.deepEqual(c, { context: emptyContext(), findings: [], body, blocked: { code: 'guard_error', message: 'the guard could not inspect the request' }, unscanned: [], truncated: false }, 'closed result');
  assert.equal(closed.body, body, 'closed: the same body');
  const open = inspectRequest(body, routeOf({ failMode: 'open' }), { detectInjection, onInternalError: (e) => seen.push(e) });
  const { latencyMs: _b, ...o } = open;
  assert.deepEqual(o, { context: emptyContext(), findings: [], body, unscanned: [], truncated: false, failedOpen: true }, 'open result');
  assert.equal(open.body, body, 'open: the same body');
  assert.deepEqual(seen, [boom, boom], 'both errors reported as thrown');
  // No reporter: still a refusal, not a throw.
  assert.equal(inspectRequest(body, routeOf(), { detectInjection }).blocked?.code, 'guard_error', 'without onInternalError');
});

test('an error that is not a WardenError while reading the body is internal, not a client error', () => {
  const seen: unknown[] = [];
  const body = {
    get messages(): unknown {
      throw new RangeError('getter');
    },
  };
  const r = inspectRequest(body, routeOf(), { detectInjection: recorder().detect, onInternalError: (e) => seen.push(e) });
  assert.deepEqual(r.blocked, { code: 'guard_error', message: 'the guard could not inspect the request' }, 'guard_error');
  assert.equal(seen.length, 1, 'reported once');
  assert.equal(seen[0] instanceof RangeError, true, 'the original error is reported');
});

test('scan limit, reject: the exact limit passes, one character over is refused with the counts', () => {
  const { calls, detect } = recorder();
  const route = { ...routeOf(), maxScanChars: 10 };
  const at = inspectRequest(chat('aaaa', 'bbbbbb'), route, { detectInjection: detect });
  assert.equal(at.blocked, undefined, '10 of 10 passes');
  assert.equal(at.truncated, false, 'not truncated at the limit');
  assert.deepEqual(calls.map((c) => c.text), ['aaaa', 'bbbbbb'], 'both scanned whole');
  calls.length = 0;
  const body = { messages: [{ role: 'user', content: [{ type: 'text', text: 'aaaa' }, { type: 'image_url', image_url: {} }] }, { role: 'user', content: 'bbbbbbb' }] };
  const over = inspectRequest(body, route, { detectInjection: detect });
  const { latencyMs: _l, ...rest } = over;
  assert.deepEqual(
    rest,
    { context: emptyContext(), findings: [], body, unscanned: [{ path: 'messages.0.content.1', type: 'image_url' }], truncated: false, blocked: { code: 'content_too_large', message: 'the request has 11 characters of text; the scan limit is 10' } },
    '11 of 10 refused',
  );
  assert.equal(calls.length, 0, 'nothing scanned');
});

test('scan limit, truncate: the budget cuts the text the detector and DLP see; the tail is kept as it was', () => {
  const { calls, detect } = recorder();
  const route = { ...routeOf({ overLimit: 'truncate' }), maxScanChars: 10 };
  const r = inspectRequest(chat('aaaaaa', 'bbbbbbbb', 'cccc'), route, { detectInjection: detect });
  assert.deepEqual(calls.map((c) => c.text), ['aaaaaa', 'bbbb'], 'the second text is cut at the budget, the third never scanned');
  assert.equal(r.truncated, true, 'truncated');
  assert.equal(r.blocked, undefined, 'not refused');
  calls.length = 0;
  inspectRequest(chat('aaaaaaaaaa', 'bbbb'), route, { detectInjection: detect });
  assert.deepEqual(calls.map((c) => c.text), ['aaaaaaaaaa'], 'a budget used up exactly stops the scan (no empty text scanned)');
  assert.equal(inspectRequest(chat('aaaaaaaaaa'), route, { detectInjection: detect }).truncated, false, 'exactly at the limit is not truncated');

  const cut = { ...routeOf({ overLimit: 'truncate' }), maxScanChars: 30 };
  const text = `card ${CARD} and ${CARD} again`;
  const t = inspectRequest(chat(text), cut, { detectInjection: detect });
  assert.equal(contentAt(t, 0), `card [CREDIT_CARD_1] and ${CARD} again`, 'the scanned head is redacted, the unscanned tail kept');
  const inj = inspectRequest(chat('INJECT and more text past the limit'), { ...cut, maxScanChars: 12 }, { detectInjection: detect });
  assert.equal(inj.findings[0]?.end, 12, 'an injection finding ends at the scanned length');
});

test('injection detector: called per text with its kind and the route threshold only when set', () => {
  const { calls, detect } = recorder();
  const body = { messages: [{ role: 'system', content: 's' }, { role: 'tool', content: 't' }] };
  inspectRequest(body, routeOf(), { detectInjection: detect });
  assert.deepEqual(calls, [{ text: 's', options: { kind: 'prompt' } }, { text: 't', options: { kind: 'document' } }], 'no threshold key without a route threshold');
  calls.length = 0;
  inspectRequest(body, routeOf({ injection: { threshold: 0.3 } }), { detectInjection: detect });
  assert.deepEqual(calls, [{ text: 's', options: { kind: 'prompt', threshold: 0.3 } }, { text: 't', options: { kind: 'document', threshold: 0.3 } }], 'threshold passed');
  calls.length = 0;
  inspectRequest(body, routeOf({ injection: { threshold: 0 } }), { detectInjection: detect });
  assert.deepEqual(calls[0]?.options, { kind: 'prompt', threshold: 0 }, 'a zero threshold is passed too');
  calls.length = 0;
  const off = inspectRequest(chat('INJECT now'), routeOf({ injection: { enabled: false } }), { detectInjection: detect });
  assert.equal(calls.length, 0, 'disabled: never called');
  assert.deepEqual(off.context, emptyContext(), 'disabled: empty context');
  assert.equal(off.blocked, undefined, 'disabled: not blocked');
});

test('the context keeps the highest score (as a percentage); unflagged texts leave no finding', () => {
  const { detect } = recorder();
  const body = chat('s=0.333', 's=0.777', 's=0.5');
  const r = inspectRequest(body, routeOf(), { detectInjection: detect });
  assert.deepEqual(r.context, { injectionScore: 78, flagged: false, piiTypes: [], secretTypes: [] }, 'max score, rounded');
  assert.deepEqual(r.findings, [], 'no findings');
  assert.equal(r.body, body, 'nothing changed: the same body, not a copy');
  assert.equal('blocked' in r, false, 'no blocked key');
  assert.equal('tokenVault' in r, false, 'no vault');
  assert.equal(inspectRequest(chat('s=0.004'), routeOf(), { detectInjection: detect }).context.injectionScore, 0, 'rounds down');
  assert.equal(inspectRequest(chat('s=0.005'), routeOf(), { detectInjection: detect }).context.injectionScore, 1, 'rounds half up');
});

test('flagged prompts and documents: exact findings, block messages, flag-only actions, first block wins', () => {
  const { detect } = recorder();
  const body = { messages: [{ role: 'user', content: 'hello' }, { role: 'tool', content: 'INJECT tool' }, { role: 'user', content: [{ type: 'text', text: 'INJECT user' }] }] };
  const r = inspectRequest(body, routeOf(), { detectInjection: detect });
  assert.deepEqual(
    r.findings,
    [
      { type: 'INJECTION', subtype: 'document', start: 0, end: 11, messageIndex: 1, path: 'messages.1.content', reasons: ['signature:test'], confidence: 0.97, action: 'block' },
      { type: 'INJECTION', subtype: 'prompt', start: 0, end: 11, messageIndex: 2, path: 'messages.2.content.0.text', reasons: ['signature:test'], confidence: 0.97, action: 'block' },
    ],
    'findings',
  );
  assert.deepEqual(r.blocked, { code: 'guard_blocked', message: 'injected instructions detected in a tool message' }, 'the first block wins');
  assert.deepEqual(r.context, { injectionScore: 97, flagged: true, piiTypes: [], secretTypes: [] }, 'context');

  const prompt = inspectRequest(chat('INJECT'), routeOf(), { detectInjection: detect });
  assert.deepEqual(prompt.blocked, { code: 'guard_blocked', message: 'prompt injection detected' }, 'prompt message');
  const asst = inspectRequest({ messages: [{ role: 'assistant', content: 'INJECT' }] }, routeOf(), { detectInjection: detect });
  assert.equal(asst.blocked?.message, 'injected instructions detected in a assistant message', 'the role is named');

  const flagDocs = inspectRequest(body, routeOf({ injection: { documentAction: 'flag' } }), { detectInjection: detect });
  assert.deepEqual(flagDocs.findings.map((f) => f.action), ['allow', 'block'], 'document flagged only');
  assert.deepEqual(flagDocs.blocked, { code: 'guard_blocked', message: 'prompt injection detected' }, 'the prompt still blocks');
  const flagPrompts = inspectRequest(body, routeOf({ injection: { promptAction: 'flag' } }), { detectInjection: detect });
  assert.deepEqual(flagPrompts.findings.map((f) => f.action), ['block', 'allow'], 'prompt flagged only');
  const flagAll = inspectRequest(body, routeOf({ injection: { promptAction: 'flag', documentAction: 'flag' } }), { detectInjection: detect });
  assert.equal(flagAll.blocked, undefined, 'flag-only: not blocked');
  assert.equal(flagAll.context.flagged, true, 'flag-only: flagged');
  assert.equal(flagAll.findings.length, 2, 'flag-only: both findings kept');
});

test('DLP: exact findings and context, a redacted copy, the original untouched', () => {
  const { detect } = recorder();
  const body = { messages: [{ role: 'system', content: 'be nice' }, { role: 'user', content: [{ type: 'text', text: `card ${CARD}, mail jane@example.com, key ${STRIPE}` }, { type: 'image_url', image_url: { url: 'x' } }] }] };
  const before = structuredClone(body);
  const r = inspectRequest(body, routeOf(), { detectInjection: detect });
  assert.deepEqual(
    r.findings,
    [
      { type: 'CREDIT_CARD', subtype: 'visa', start: 5, end: 24, messageIndex: 1, path: 'messages.1.content.0.text', reasons: ['pii.credit-card'], confidence: 0.98, action: 'redact' },
      { type: 'EMAIL', start: 31, end: 47, messageIndex: 1, path: 'messages.1.content.0.text', reasons: ['pii.email'], confidence: 0.95, action: 'allow' },
      { type: 'SECRET', subtype: 'stripe-access-token', start: 53, end: 85, messageIndex: 1, path: 'messages.1.content.0.text', reasons: ['secret.gitleaks'], confidence: 0.95, action: 'redact' },
    ],
    'findings (no subtype key where the finding has none)',
  );
  assert.equal('subtype' in r.findings[1]!, false, 'EMAIL has no subtype key');
  assert.deepEqual(r.context, { injectionScore: 2, flagged: false, piiTypes: ['CREDIT_CARD', 'EMAIL'], secretTypes: ['stripe-access-token'] }, 'context, sorted');
  assert.deepEqual(
    r.body,
    { messages: [{ role: 'system', content: 'be nice' }, { role: 'user', content: [{ type: 'text', text: 'card [CREDIT_CARD_1], mail jane@example.com, key [SECRET_1]' }, { type: 'image_url', image_url: { url: 'x' } }] }] },
    'only the text part changed',
  );
  assert.deepEqual(body, before, 'the original is untouched');
  assert.deepEqual(r.unscanned, [{ path: 'messages.1.content.1', type: 'image_url' }], 'unscanned');
  assert.equal(r.blocked, undefined, 'not blocked');
  assert.equal(r.truncated, false, 'not truncated');

  const allowed = chat('mail jane@example.com');
  const a = inspectRequest(allowed, routeOf(), { detectInjection: detect });
  assert.equal(a.body, allowed, 'only allowed findings: the same body, not a copy');
  assert.equal(a.findings.length, 1, 'the allowed finding is reported');

  const labels = inspectRequest(chat(`a ${CARD}`, `b ${CARD}`, `c ${CARD2}`), routeOf(), { detectInjection: detect });
  assert.deepEqual([0, 1, 2].map((i) => contentAt(labels, i)), ['a [CREDIT_CARD_1]', 'b [CREDIT_CARD_1]', 'c [CREDIT_CARD_2]'], 'one numbering across the request');

  const sorted = inspectRequest(chat(`key ${STRIPE} mail x@y.io card ${CARD}`, 'ghp_0123456789abcdefABCDEF0123456789abcd'), routeOf(), { detectInjection: detect });
  assert.deepEqual(sorted.context.piiTypes, ['CREDIT_CARD', 'EMAIL'], 'pii sorted');
  assert.deepEqual(sorted.context.secretTypes, ['github-pat', 'stripe-access-token'], 'secrets sorted (found stripe first)');
});

test('DLP disabled: nothing found, nothing changed', () => {
  const body = chat(`card ${CARD}`);
  const r = inspectRequest(body, routeOf({ dlp: { enabled: false } }), { detectInjection: recorder().detect });
  assert.deepEqual(r.findings, [], 'no findings');
  assert.equal(r.body, body, 'the same body');
  assert.deepEqual(r.context.piiTypes, [], 'no pii');
});

test('DLP block: the message names each blocked type once, not the redacted ones; injection blocks first', () => {
  const { detect } = recorder();
  const route = routeOf({}, [{ type: 'dlp', action: 'block', types: ['CREDIT_CARD'], direction: 'input' }]);
  const r = inspectRequest(chat(`${CARD} and ${CARD2} key ${STRIPE}`), route, { detectInjection: detect });
  assert.deepEqual(r.blocked, { code: 'guard_blocked', message: 'the request contains data that may not be sent (CREDIT_CARD)' }, 'one type named once');
  assert.deepEqual(r.findings.map((f) => `${f.type}:${f.action}`), ['CREDIT_CARD:block', 'CREDIT_CARD:block', 'SECRET:redact'], 'actions');
  const two = routeOf({}, [{ type: 'block', types: ['CREDIT_CARD', 'EMAIL'] }]);
  assert.deepEqual(inspectRequest(chat(`${CARD} a@b.io`), two, { detectInjection: detect }).blocked?.message, 'the request contains data that may not be sent (CREDIT_CARD, EMAIL)', 'two types');
  const both = inspectRequest(chat('INJECT', `card ${CARD}`), route, { detectInjection: detect });
  assert.equal(both.blocked?.message, 'prompt injection detected', 'the first block is kept');
  const dlpFirst = inspectRequest(chat(`card ${CARD}`, 'INJECT'), route, { detectInjection: detect });
  assert.equal(dlpFirst.blocked?.message, 'the request contains data that may not be sent (CREDIT_CARD)', 'the first block is kept (DLP first)');
  const input = routeOf({}, [{ type: 'dlp', action: 'block', types: ['CREDIT_CARD'], direction: 'output' }]);
  assert.equal(inspectRequest(chat(`card ${CARD}`), input, { detectInjection: detect }).blocked, undefined, 'an output-only rule does not block input');
});

test('tokenize: a vault only when needed, the caller vault reused and continued', () => {
  const { detect } = recorder();
  const route = routeOf({}, [{ type: 'tokenize', types: ['EMAIL'] }]);
  const r = inspectRequest(chat('mail jane@example.com'), route, { detectInjection: detect });
  assert.equal(contentAt(r, 0), 'mail [EMAIL_1]', 'tokenized');
  assert.equal(r.tokenVault instanceof TokenVault, true, 'a vault is returned');
  assert.equal(r.tokenVault?.detokenize('[EMAIL_1]'), 'jane@example.com', 'and holds the value');
  assert.equal('tokenVault' in inspectRequest(chat(`card ${CARD}`), route, { detectInjection: detect }), false, 'no tokenize action: no vault');

  const vault = new TokenVault();
  vault.tokenize('EMAIL', 'first@example.com');
  const again = inspectRequest(chat('mail jane@example.com and first@example.com'), route, { detectInjection: detect }, { vault });
  assert.equal(again.tokenVault, vault, 'the caller vault is returned');
  assert.equal(contentAt(again, 0), 'mail [EMAIL_2] and [EMAIL_1]', 'its numbering and values continue');
  const mixed = inspectRequest(chat(`card ${CARD} mail jane@example.com`), route, { detectInjection: detect });
  assert.equal(contentAt(mixed, 0), 'card [CREDIT_CARD_1] mail [EMAIL_1]', 'one tokenized among other findings');
  assert.equal(mixed.tokenVault?.detokenize(contentAt(mixed, 0) as string), `card [CREDIT_CARD_1] mail jane@example.com`, 'a vault as soon as one finding is tokenized; the redacted card is not reversible');
  const idle = inspectRequest(chat('nothing here'), routeOf(), { detectInjection: detect }, { vault });
  assert.equal(idle.tokenVault, vault, 'a caller vault is returned even when unused');
});

test('DLP options: best-effort types and the confidence floor reach the scanner; missing actions default by type', () => {
  const { detect } = recorder();
  const text = 'Dear John Smith, I live at 221B Baker Street, London';
  assert.deepEqual(inspectRequest(chat(text), routeOf(), { detectInjection: detect }).findings, [], 'best effort off by default');
  const be = inspectRequest(chat(text), routeOf({ dlp: { bestEffort: true } }), { detectInjection: detect });
  assert.deepEqual(be.findings.map((f) => `${f.type}:${f.action}`), ['ADDRESS:allow', 'PERSON:allow'], 'best effort on: reported, allowed');
  assert.deepEqual(be.context.piiTypes, ['ADDRESS', 'PERSON'], 'in the context');

  const floor = inspectRequest(chat(`mail a@b.io card ${CARD}`), routeOf({ dlp: { minConfidence: 0.96 } }), { detectInjection: detect });
  assert.deepEqual(floor.findings.map((f) => f.type), ['CREDIT_CARD'], 'EMAIL (0.95) is under the 0.96 floor, the card (0.98) is not');

  // A route built without per-type actions: best-effort types are allowed, everything else redacted.
  const base = routeOf({ dlp: { bestEffort: true } });
  const bare = { ...base, dlp: { ...base.dlp, input: {} as RouteGuardOptions['dlp']['input'] } };
  const d = inspectRequest(chat(`${text} mail a@b.io`), bare, { detectInjection: detect });
  assert.deepEqual(d.findings.map((f) => `${f.type}:${f.action}`), ['ADDRESS:allow', 'PERSON:allow', 'EMAIL:redact'], 'defaults by type');
});

test('every text of a completions or embeddings body is written back at its own path', () => {
  const { detect } = recorder();
  const body = { prompt: [`p ${CARD}`, 'plain'], input: [`i ${CARD2}`, [1, 2]], instructions: `sys ${CARD}` };
  const r = inspectRequest(body, routeOf(), { detectInjection: detect });
  assert.deepEqual(r.body, { prompt: ['p [CREDIT_CARD_1]', 'plain'], input: ['i [CREDIT_CARD_2]', [1, 2]], instructions: 'sys [CREDIT_CARD_1]' }, 'each path rewritten');
  assert.deepEqual(r.unscanned, [{ path: 'input.1', type: 'tokens' }], 'token array recorded');
  const single = inspectRequest({ input: `x ${CARD}` }, routeOf(), { detectInjection: detect });
  assert.deepEqual(single.body, { input: 'x [CREDIT_CARD_1]' }, 'a top-level string');
});
