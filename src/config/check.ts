/**
 * The references a configuration makes, resolved and checked the same way for `warden start` and
 * `warden config check` (one code path): secrets (`env:`/`file:`), JWKS files, TLS files, the upstream
 * each model and route names, duplicate names. The schema checks shapes; this checks that what is named exists.
 *
 * @example
 * const problems = checkReferences(loaded, process.env); // [{ path: 'models.0.upstream', message: ... }]
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolveSecret, ConfigError } from '../core/index.js';
import { DEMO_UPSTREAM } from './demo.js';
import { resolveConfigPath, type LoadedConfig } from './load.js';
import { redisUrlOf } from '../cluster/index.js';
import { limitReferenceProblems } from '../limits/index.js';

export interface ConfigProblem {
  path: string;
  message: string;
}

export function checkReferences(loaded: LoadedConfig, env: NodeJS.ProcessEnv): ConfigProblem[] {
  const { config } = loaded;
  const problems: ConfigProblem[] = [];
  const secret = (reference: string, path: string): void => {
    try {
      resolveSecret(reference, path, env);
    } catch (error) {
      problems.push({ path, message: (error as Error).message.replace(`${path}: `, '') });
    }
  };
  duplicates(config.upstreams.map((u) => u.name), 'upstreams', 'name', problems);
  duplicates(config.models.map((m) => m.id), 'models', 'id', problems);
  duplicates(config.routes.map((r) => r.name), 'routes', 'name', problems);
  config.upstreams.forEach((u, i) => secret(u.apiKey, `upstreams.${i}.apiKey`));
  config.response.playbooks.forEach((p, i) => p.actions.forEach((a, j) => a.type === 'notify' && secret(a.secret, `response.playbooks.${i}.actions.${j}.secret`)));
  const upstreams = new Set(config.upstreams.map((u) => u.name));
  if (config.demo.upstream) upstreams.add(DEMO_UPSTREAM);
  const named = (name: string, path: string): void => {
    if (!upstreams.has(name)) problems.push({ path, message: `no upstream named \`${name}\` (known: ${[...upstreams].map((n) => `\`${n}\``).join(', ') || 'none'})` });
  };
  config.models.forEach((m, i) => named(m.upstream, `models.${i}.upstream`));
  config.routes.forEach((r, i) => named(r.upstream, `routes.${i}.upstream`));
  config.identity.jwt.forEach((issuer, i) => {
    if (!issuer.jwksFile) return;
    const path = `identity.jwt.${i}.jwksFile`;
    const file = resolveConfigPath(loaded, issuer.jwksFile);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      problems.push({ path, message: `cannot read \`${file}\` (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})` });
      return;
    }
    try {
      const jwks = JSON.parse(text) as { keys?: unknown };
      if (!Array.isArray(jwks.keys)) problems.push({ path, message: `\`${file}\` is not a JWK set (no \`keys\` array)` });
    } catch {
      problems.push({ path, message: `\`${file}\` is not JSON` });
    }
  });
  const tls = config.server.tls;
  if (tls) {
    for (const key of ['cert', 'key', 'ca'] as const) {
      const file = resolveConfigPath(loaded, tls[key]);
      if (!existsSync(file)) problems.push({ path: `server.tls.${key}`, message: `cannot read \`${file}\` (ENOENT)` });
    }
  }
  config.export.sinks.forEach((sink, i) => {
    if (sink.enabled && sink.type === 'hec') secret(sink.hec.token, `export.sinks.${i}.hec.token`);
  });
  // Shared Signals (docs/signals.md): secrets are resolved at start, so a missing one is reported here.
  const signals = config.signals;
  if (signals.transmitter.enabled && signals.transmitter.signingKey) secret(signals.transmitter.signingKey, 'signals.transmitter.signingKey');
  signals.transmitter.receivers.forEach((r, i) => r.authorization && secret(r.authorization, `signals.transmitter.receivers.${i}.authorization`));
  signals.posture.webhooks.forEach((w, i) => w.secret && secret(w.secret, `signals.posture.webhooks.${i}.secret`));
  duplicates(signals.transmitter.receivers.map((r) => r.name), 'signals.transmitter.receivers', 'name', problems);
  duplicates(signals.posture.webhooks.map((w) => w.name), 'signals.posture.webhooks', 'name', problems);
  duplicates(signals.receiver.transmitters.map((t) => t.issuer), 'signals.receiver.transmitters', 'issuer', problems);
  problems.push(...limitReferenceProblems(config));
  const redis = redisUrlOf(config.cluster, env);
  if (redis.problem) problems.push({ path: 'cluster.redisUrl', message: redis.problem });
  return problems;
}

/** Throws `ConfigError` listing every problem; what `start` runs before it opens anything. */
export function assertReferences(loaded: LoadedConfig, env: NodeJS.ProcessEnv): void {
  const problems = checkReferences(loaded, env);
  if (problems.length) {
    throw new ConfigError(`invalid configuration${loaded.file ? ` in \`${loaded.file}\`` : ''}:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`, problems);
  }
}

function duplicates(values: string[], list: string, key: string, problems: ConfigProblem[]): void {
  const seen = new Map<string, number>();
  values.forEach((value, i) => {
    const first = seen.get(value);
    if (first !== undefined) problems.push({ path: `${list}.${i}.${key}`, message: `duplicate \`${value}\` (also ${list}.${first})` });
    else seen.set(value, i);
  });
}
