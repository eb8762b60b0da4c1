import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';
import { tempDir } from '../helpers/warden-process.js';
import { runCli as runCliInProcess } from '../../src/cli/run.js';
import { captureIo } from '../audit/helpers.js';

test('without a config file the embedded demo configuration is used', () => {
  const dir = tempDir();
  const { config, file } = loadConfig({}, {}, dir);
  assert.equal(file, undefined);
  assert.equal(config.demo.upstream, true);
  assert.ok(config.models.some((m) => m.id === 'demo-chat'));
  assert.equal(config.dataDir, join(dir, '.warden'));
});

test('precedence is flags > environment > config file > defaults', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'warden.yaml'), 'server: { port: 1111 }\ndataDir: from-file\n');
  assert.equal(loadConfig({}, {}, dir).config.server.port, 1111);
  assert.equal(loadConfig({}, {}, dir).config.dataDir, join(dir, 'from-file'));
  assert.equal(loadConfig({}, { WARDEN_PORT: '2222' }, dir).config.server.port, 2222);
  assert.equal(loadConfig({ port: 3333 }, { WARDEN_PORT: '2222' }, dir).config.server.port, 3333);
  assert.equal(loadConfig({}, { WARDEN_DATA_DIR: 'env-dir' }, dir).config.dataDir, join(dir, 'env-dir'));
  assert.equal(loadConfig({ dataDir: '/abs/flag' }, { WARDEN_DATA_DIR: 'env-dir' }, dir).config.dataDir, '/abs/flag');
  const empty = tempDir();
  writeFileSync(join(empty, 'warden.yaml'), '{}\n');
  assert.equal(loadConfig({}, {}, empty).config.server.port, 8080);
});

test('an invalid config names the key path and what was expected', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'warden.yaml'), 'server:\n  port: "eighty"\nmodels:\n  - id: m\n    upstream: u\n    sensitivity: top-secret\n');
  assert.throws(
    () => loadConfig({}, {}, dir),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      const paths = error.issues.map((i) => i.path);
      assert.ok(paths.includes('server.port'), paths.join(','));
      assert.ok(paths.includes('models.0.sensitivity'), paths.join(','));
      assert.match(error.message, /server\.port: .*number/);
      return true;
    },
  );
});

test('bad YAML, a missing file and a bad WARDEN_PORT are clear errors', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'warden.yaml'), 'server: [unclosed\n');
  assert.throws(() => loadConfig({}, {}, dir), /not valid YAML/);
  assert.throws(() => loadConfig({ configFile: 'nope.yaml' }, {}, dir), /does not exist/);
  assert.throws(() => loadConfig({}, { WARDEN_PORT: '99999' }, tempDir()), /WARDEN_PORT/);
});

test('a JWT issuer needs exactly one key source', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'warden.yaml'), 'identity:\n  jwt:\n    - issuer: https://idp\n      audience: warden\n');
  assert.throws(() => loadConfig({}, {}, dir), (e: unknown) => e instanceof ConfigError && e.issues.some((i) => i.path.startsWith('identity.jwt.0')));
});

/** Runs `warden config check` (in-process, the CLI's own dispatcher) on a YAML text and optional extra files. */
async function configCheck(yaml: string, files: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const dir = tempDir();
  writeFileSync(join(dir, 'warden.yaml'), yaml);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const { io, out, err } = captureIo(dir);
  const code = await runCliInProcess(['config', 'check', '--config', join(dir, 'warden.yaml')], io);
  return { code, out: out() + err() };
}

const UPSTREAM = 'upstreams: [{ name: main, baseUrl: "http://127.0.0.1:9100/v1" }]\n';

test('config check refuses mistakes that change behaviour, naming the key path', async () => {
  const cases: [string, string, RegExp, Record<string, string>?][] = [
    ['a misspelt top-level key', 'polciy: { dir: policies }\n', /polciy: unknown key; did you mean `policy`\?/],
    ['a misspelt nested key', 'server: { prot: 9000 }\n', /server\.prot: unknown key; did you mean `port`\?/],
    ['an unset env secret', 'upstreams: [{ name: main, baseUrl: "http://127.0.0.1:9100/v1", apiKey: "env:WARDEN_TEST_UNSET_SECRET" }]\n', /upstreams\.0\.apiKey: environment variable `WARDEN_TEST_UNSET_SECRET` is not set/],
    ['a missing jwksFile', 'identity: { jwt: [{ issuer: "https://idp", audience: warden, jwksFile: missing.json }] }\n', /identity\.jwt\.0\.jwksFile: cannot read `[^`]*missing\.json` \(ENOENT\)/],
    ['a non-JSON jwksFile', 'identity: { jwt: [{ issuer: "https://idp", audience: warden, jwksFile: keys.json }] }\n', /identity\.jwt\.0\.jwksFile: `[^`]*keys\.json` is not JSON/, { 'keys.json': 'not json' }],
    ['a model on an unknown upstream', UPSTREAM + 'models: [{ id: m, upstream: mian }]\n', /models\.0\.upstream: no upstream named `mian`/],
    ['a baseUrl without a scheme', 'upstreams: [{ name: main, baseUrl: "localhost:9100" }]\n', /upstreams\.0\.baseUrl: expected an http:\/\/ or https:\/\/ URL/],
    ['duplicate model ids', UPSTREAM + 'models: [{ id: m, upstream: main }, { id: m, upstream: main }]\n', /models\.1\.id: duplicate `m`/],
    ['an unknown @on_deny value', 'policy: { dir: policies }\n', /p\.cedar:\d+:\d+: unknown @on_deny value `stepup`/, { 'policies/p.cedar': '@id("p")\n@on_deny("stepup")\nforbid (principal, action, resource);\n' }],
    ['an empty file', '', /is empty/],
    ['a missing TLS file', 'server: { tls: { port: 0, cert: cert.pem, key: key.pem, ca: ca.pem } }\n', /server\.tls\.cert: cannot read `[^`]*cert\.pem` \(ENOENT\)/, { 'key.pem': 'k', 'ca.pem': 'c' }],
  ];
  for (const [what, yaml, expected, files] of cases) {
    const result = await configCheck(yaml, files);
    assert.equal(result.code, 1, `${what} was accepted: ${result.out}`);
    assert.match(result.out, expected, what);
  }
  // The same file, corrected, is accepted: the checks refuse the mistakes, not the features.
  const ok = await configCheck(UPSTREAM + 'models: [{ id: m, upstream: main }]\n');
  assert.equal(ok.code, 0, ok.out);
});
