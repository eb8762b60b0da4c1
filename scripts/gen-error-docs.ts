/** Writes docs/errors.md from the error registry (src/core/errors.ts); a test keeps the two in sync. */
import { writeFileSync } from 'node:fs';
import { ERRORS } from '../src/core/errors.js';

export function renderErrorDocs(): string {
  const rows = Object.entries(ERRORS).map(([code, e]) => `| \`${code}\` | ${e.status} | ${e.message} | ${e.remedy} |`);
  return [
    '# Error codes',
    '',
    'Every error Warden returns has one JSON shape: `{"error": {"code": "...", "message": "..."}}`, sometimes with',
    'extra safe fields (`decisionId`, `problems`). The code is stable; the message is for people.',
    'This file is generated from `src/core/errors.ts` by `npm run docs:errors`.',
    '',
    '| code | HTTP status | meaning | what to do |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

if (process.argv[1]?.endsWith('gen-error-docs.ts')) writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorDocs());
