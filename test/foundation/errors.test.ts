import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERRORS, WardenError, errorBody } from '../../src/core/errors.js';
import { renderErrorDocs } from '../../scripts/gen-error-docs.js';

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
