/**
 * The embedded demo configuration used when no config file is found: a built-in upstream model server on
 * loopback, demo principals and devices, and the Cedar policies under demo/. Demo API keys are made at
 * random once per data directory and stored, so the start-up banner can print ready-to-paste commands
 * that keep working after a restart; they exist only in this configuration.
 */
import { isIP } from 'node:net';
import type { WardenConfig } from './schema.js';

export const DEMO_UPSTREAM = 'demo';

/** Whether `host` is a loopback address or name (nobody else can connect). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * Why this configuration must not be served as it is, or undefined: a demo (the embedded configuration
 * or printed demo keys) listening beyond loopback hands its well-known principals to the network.
 */
export function demoExposureProblem(config: WardenConfig, file: string | undefined): string | undefined {
  const demo = file === undefined || config.demo.apiKeys.length > 0;
  if (!demo || config.demo.allowNonLoopback || isLoopbackHost(config.server.host)) return undefined;
  return `refusing to serve the demo configuration on \`${config.server.host}\`, which is not a loopback address: its API keys are printed in the clear. Listen on 127.0.0.1, use your own configuration, or pass --allow-remote-demo (demo.allowNonLoopback: true) if you mean it`;
}

export const demoConfig = {
  demo: {
    upstream: true,
    apiKeys: [
      { principal: 'alice', name: 'demo-alice' },
      { principal: 'bob', name: 'demo-bob' },
      { principal: 'carol', name: 'demo-carol' },
      { principal: 'support-bot', name: 'demo-agent' },
      { principal: 'indexer', name: 'demo-indexer' },
    ],
  },
  principals: [
    { id: 'alice', kind: 'User', groups: ['engineering', 'data-stewards'], roles: ['user'], attributes: { department: 'engineering', clearance: 2, email: 'alice@example.com' } },
    { id: 'bob', kind: 'User', groups: ['contractors'], roles: ['user'], attributes: { department: 'contractors', clearance: 1, email: 'bob@example.com' } },
    { id: 'carol', kind: 'User', groups: ['security'], roles: ['admin'], attributes: { department: 'security', clearance: 3, email: 'carol@example.com' } },
    { id: 'support-bot', kind: 'Agent', groups: ['agents'], roles: [], mayActFor: ['group:engineering'] },
    { id: 'indexer', kind: 'Service', groups: ['services'], roles: [] },
  ],
  devices: [
    { id: 'alice-laptop', owner: 'alice', managed: true, compliant: true, osPatched: true, diskEncrypted: true, platform: 'macos' },
    { id: 'bob-phone', owner: 'bob', managed: false, compliant: false, platform: 'android' },
  ],
  upstreams: [{ name: DEMO_UPSTREAM, baseUrl: 'http://127.0.0.1/v1', apiKey: 'demo-upstream-secret' }],
  models: [
    { id: 'demo-chat', upstream: DEMO_UPSTREAM, sensitivity: 'internal', owner: 'platform' },
    { id: 'demo-chat-secure', upstream: DEMO_UPSTREAM, upstreamModel: 'demo-chat', sensitivity: 'confidential', owner: 'platform' },
    { id: 'demo-restricted', upstream: DEMO_UPSTREAM, upstreamModel: 'demo-chat', sensitivity: 'restricted', owner: 'security' },
    { id: 'demo-embed', upstream: DEMO_UPSTREAM, sensitivity: 'internal', owner: 'platform' },
  ],
  // The demo MCP server (src/demo/mcp-tools.ts); its URL and Warden's credential for it are filled in at start.
  mcp: { servers: [{ name: 'demo-tools', url: 'http://127.0.0.1/mcp', pinning: 'trust-first-use' as const }] },
  routes: [
    {
      name: 'datasets',
      methods: ['GET', 'PUT', 'DELETE'],
      path: '/datasets/:id',
      action: { GET: 'read', PUT: 'write', DELETE: 'delete' },
      resource: { type: 'Dataset', id: '{id}', attributes: { sensitivity: 'internal', owner: 'data-platform' } },
      upstream: DEMO_UPSTREAM,
      upstreamPath: '/store/datasets/{id}',
    },
  ],
  // Just-in-time elevation: alice may ask for the restricted models for a while; carol approves (demo/policies/access.cedar).
  access: { roles: [{ role: 'restricted-models', approvers: ['carol'], approvals: 1 as const, maxSeconds: 3600 }] },
  // Automated response: the loop from detection to containment (docs/response.md).
  response: {
    protectedPrincipals: ['carol'],
    playbooks: [
      {
        name: 'repeated-prompt-injection',
        trigger: { events: ['detection'], detectors: ['guard.injection'], minSeverity: 'high', entityKinds: ['User', 'Agent', 'Service'], count: { atLeast: 3, withinSeconds: 300 } },
        actions: [{ type: 'quarantine', durationSeconds: 900 }],
      },
      { name: 'integrity-tamper', trigger: { events: ['asset'], assetChanges: ['tampered'] }, actions: [{ type: 'quarantine_asset', durationSeconds: 86_400 }] },
    ],
  },
};
