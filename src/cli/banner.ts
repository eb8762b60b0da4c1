/** The start-up banner: where Warden listens and, in the demo, ready-to-paste requests. */
import type { WardenApp } from '../app/warden.js';

export function startBanner(app: WardenApp, configFile: string | undefined): string {
  const lines = [
    '',
    `Warden is running at ${app.url}`,
    ...(app.tlsUrl ? [`mTLS listener at ${app.tlsUrl}`] : []),
    `  OpenAI-compatible API: ${app.url}/v1   decision API: ${app.url}/v1/authorize   ext_authz: ${app.url}/ext_authz`,
    `  health: ${app.url}/healthz   readiness: ${app.url}/readyz   metrics: ${app.metricsUrl ?? `${app.url}/metrics (role \`metrics\` or \`admin\`)`}`,
    `  configuration: ${configFile ?? 'embedded demo (no warden.yaml found)'}   data: ${app.config.dataDir}`,
  ];
  const key = (principal: string) => app.demoCredentials.find((c) => c.principal === principal)?.key;
  const alice = key('alice');
  const bob = key('bob');
  const carol = key('carol');
  if (app.demoUpstream && alice && bob) {
    const chat = (k: string, model: string) =>
      `curl -s ${app.url}/v1/chat/completions -H "Authorization: Bearer ${k}" -H 'content-type: application/json' -d '{"model":"${model}","messages":[{"role":"user","content":"hello"}]}'`;
    lines.push(
      '',
      `Demo upstream model server at ${app.demoUpstream.url} (Warden holds its key; clients never see it).`,
      'Demo credentials (demo only):',
      ...app.demoCredentials.map((c) => `  ${c.principal.padEnd(12)} ${c.key}`),
      '',
      'Allowed (alice, an engineer, uses an internal model):',
      `  ${chat(alice, 'demo-chat')}`,
      'Denied, 403 (bob, a contractor, asks for a confidential model):',
      `  ${chat(bob, 'demo-chat-secure')}`,
      'Step-up, 401 with an RFC 9470 challenge (alice needs MFA for a confidential model):',
      `  ${chat(alice, 'demo-chat-secure')} -i`,
      ...(app.mfa
        ? [
            'Complete the step-up in Warden:',
            `  1. enrol a factor for alice (open the printed link; TOTP app or passkey): warden mfa enrol-link --principal alice --data-dir ${app.config.dataDir} --url ${app.mfa.stepUps.publicUrl()}`,
            '  2. send the step-up request again, open the `stepUpUrl` of its 401 answer and verify (or: warden mfa approve DECISION-ID --code CODE)',
            `  3. send it once more: 200, alice's key is elevated for ${Math.round(app.config.mfa.apiKeyElevationSeconds / 60)} minutes`,
          ]
        : []),
      'Streaming:',
      `  curl -sN ${app.url}/v1/chat/completions -H "Authorization: Bearer ${alice}" -H 'content-type: application/json' -d '{"model":"demo-chat","stream":true,"messages":[{"role":"user","content":"hello"}]}'`,
      ...(carol ? ['Recent decisions (carol is an admin):', `  curl -s '${app.url}/admin/decisions?limit=5' -H "Authorization: Bearer ${carol}"`] : []),
    );
  }
  return lines.join('\n');
}
