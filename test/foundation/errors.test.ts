import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ERRORS, WardenError, errorBody } from '../../src/core/errors.js';
import { renderErrorDocs } from '../../scripts/gen-error-docs.js';
import { sendError } from '../../src/gateway/http.js';

test('docs/errors.md is generated from the registry and in sync with it', () => {
  assert.equal(readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8'), renderErrorDocs(), 'run `npm run docs:errors`');
});

test('every error body has one shape; unknown errors never leak their message', () => {
  for (const code of Object.keys(ERRORS) as (keyof typeof ERRORS)[]) {
    const { status, body } = errorBody(new WardenError(code));
    assert.equal(status, ERRORS[code].status);
    assert.equal(body.error.code, code);
  }
  const leaked = errorBody(new Error('password=hunter2 at /srv/app.js:10'));
  assert.equal(leaked.status, 500);
  assert.deepEqual(leaked.body, { error: { code: 'internal', message: 'internal error' } });
});

test('a 429 or 503 that says when to come back says it in Retry-After too; other statuses and a caller header do not change', async () => {
  const errors: Record<string, { error: WardenError; headers?: Record<string, string> }> = {
    unavailable: { error: new WardenError('mfa_unavailable', undefined, { details: { retryAfterSeconds: 1 } }) },
    locked: { error: new WardenError('mfa_locked', undefined, { details: { retryAfterSeconds: 42 } }) },
    forbidden: { error: new WardenError('forbidden', undefined, { details: { retryAfterSeconds: 5 } }) },
    caller: { error: new WardenError('limits_unavailable', undefined, { details: { retryAfterSeconds: 9 } }), headers: { 'retry-after': '2' } },
    silent: { error: new WardenError('limits_unavailable') },
  };
  const server = createServer((req, res) => {
    const chosen = errors[req.url!.slice(1)]!;
    sendError(res, chosen.error, chosen.headers);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const retryAfter = async (name: string): Promise<[number, string | null]> => {
      const res = await fetch(`http://127.0.0.1:${port}/${name}`);
      await res.arrayBuffer();
      return [res.status, res.headers.get('retry-after')];
    };
    assert.deepEqual(await retryAfter('unavailable'), [503, '1']);
    assert.deepEqual(await retryAfter('locked'), [429, '42']);
    assert.deepEqual(await retryAfter('forbidden'), [403, null]);
    assert.deepEqual(await retryAfter('caller'), [503, '2']);
    assert.deepEqual(await retryAfter('silent'), [503, null]);
  } finally {
    server.close();
  }
});
