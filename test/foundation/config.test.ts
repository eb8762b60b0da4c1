import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { tempDir } from '../helpers/warden-process.js';

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
