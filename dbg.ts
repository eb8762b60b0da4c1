import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildManifest, HashPool, statementFor } from './src/integrity/index.js';
const root = join(mkdtempSync(join(tmpdir(), 'ms-')), 'sample_model'); mkdirSync(root);
for (let i = 0; i < 2; i++) { mkdirSync(join(root, `d${i}`)); for (let j = 0; j < 3; j++) writeFileSync(join(root, `d${i}`, `f${i}${j}`), `This is file f${i}${j} in d${i}.`); }
for (let i = 0; i < 4; i++) writeFileSync(join(root, `f${i}`), `This is file f${i} in root.`);
const pool = new HashPool({ workers: 1 });
const m = await buildManifest(root, { pool });
console.log(m.rootDigest, m.items.slice(0, 2));
const s = await buildManifest(root, { pool, method: 'shards', shardSize: 8 });
console.log(s.rootDigest, s.items.slice(0, 3), JSON.stringify(statementFor(s)).slice(0, 300));
await pool.close();
