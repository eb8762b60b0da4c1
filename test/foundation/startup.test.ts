/** Start-up failures end the process with a clear message (issue 10, finding 9): never alive serving nothing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers/warden-process.js';

const UPSTREAM = 'upstreams: [{ name: main, baseUrl: "http://127.0.0.1:9100/v1" }]\n';

// Four real `warden start` processes: slow on a loaded machine, hence the explicit timeout.
test('start-up failures exit non-zero with a clear message instead of staying alive', { timeout: 600_000 }, async () => {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as AddressInfo).port;
  try {
    const cases: [string, string, RegExp, Record<string, string>?][] = [
      ['an unset env secret', UPSTREAM.replace('/v1"', '/v1", apiKey: "env:WARDEN_TEST_UNSET_SECRET"'), /upstreams\.0\.apiKey: environment variable `WARDEN_TEST_UNSET_SECRET` is not set/],
      ['a port in use', `server: { port: ${port} }\n`, new RegExp(`server\\.port: cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`)],
      ['a missing jwksFile', 'identity: { jwt: [{ issuer: "https://idp", audience: warden, jwksFile: missing.json }] }\n', /identity\.jwt\.0\.jwksFile: cannot read/],
      ['a non-JSON jwksFile', 'identity: { jwt: [{ issuer: "https://idp", audience: warden, jwksFile: keys.json }] }\n', /identity\.jwt\.0\.jwksFile: `[^`]*keys\.json` is not JSON/, { 'keys.json': '{ nope' }],
    ];
    // runCli resolves when the process exits: a start that hangs alive fails this test.
    const results = await Promise.all(
      cases.map(([, yaml, , files]) => {
        const dir = tempDir();
        writeFileSync(join(dir, 'warden.yaml'), `dataDir: ${join(dir, 'data')}\n${yaml}`);
        for (const [name, text] of Object.entries(files ?? {})) writeFileSync(join(dir, name), text);
        return runCli(['start', '--config', join(dir, 'warden.yaml')]);
      }),
    );
    cases.forEach(([what, , expected], i) => {
      const r = results[i]!;
      assert.notEqual(r.code, 0, what);
      assert.match(r.stdout + r.stderr, expected, what);
      assert.doesNotMatch(r.stderr, /\n\s+at /, `${what}: no stack trace`);
    });
  } finally {
    blocker.close();
  }
});
