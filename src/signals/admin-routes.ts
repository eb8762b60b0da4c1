/**
 * The signals module's admin API: device keys (enrolment of the key a device signs its posture reports
 * with), a device's posture with each fact's source, what the identity providers' signals say about
 * principals (and re-enabling an account Warden refuses), and the transmitter's outbox. Every change is
 * an audited `admin` event.
 */
import { importJWK, type JWK } from 'jose';
import { z } from 'zod';
import { WardenError } from '../core/index.js';
import type { EventBus } from '../events/index.js';
import { type AdminRequest, type AdminRoute, validateInput } from '../gateway/index.js';
import type { Directory } from '../identity/index.js';
import { DEVICE_KEY_ALGORITHMS } from './devices/reports.js';
import { withPosture } from './devices/posture.js';
import type { SignalState } from './state.js';
import type { SignalsRepository } from './store/types.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const deviceId = z.string().min(1).max(200);
const keySchema = z
  .object({
    jwk: z
      .object({ kty: z.enum(['EC', 'OKP', 'RSA']), alg: z.enum(DEVICE_KEY_ALGORITHMS).optional() })
      .loose()
      .refine((j) => !PRIVATE_MEMBERS.some((m) => m in j), { message: 'send the public key only' }),
    owner: z.string().min(1).max(200).optional(),
  })
  .strict();

export interface SignalsAdminDeps {
  repo: SignalsRepository;
  state: SignalState;
  directory: Directory;
  bus: EventBus;
  instanceId: string;
  postureMaxAgeMs: number;
}

export function signalsAdminRoutes(deps: SignalsAdminDeps): AdminRoute[] {
  const audit = (req: AdminRequest, operation: string, target: string, details?: Record<string, unknown>): void =>
    void deps.bus.publish({ type: 'admin', source: deps.instanceId, actor: { type: req.identity.principal.kind, id: req.identity.principal.id }, operation, target, outcome: 'success', ...(details ? { details } : {}) });
  return [
    {
      method: 'PUT',
      path: '/devices/:id/key',
      handler: async (req) => {
        const device = validateInput(deviceId, req.params.id);
        const input = validateInput(keySchema, req.body);
        const jwk = input.jwk as JWK;
        try {
          await importJWK(jwk, jwk.alg ?? (jwk.kty === 'EC' ? 'ES256' : jwk.kty === 'RSA' ? 'RS256' : 'EdDSA'));
        } catch (error) {
          throw new WardenError('validation_failed', '`jwk`: not a usable public key', { cause: error });
        }
        await deps.repo.putDeviceKey({ device, jwk: JSON.stringify(jwk), owner: input.owner ?? null, createdBy: req.identity.principal.id, createdAt: new Date().toISOString() });
        await deps.state.reload();
        audit(req, 'device.key.enrol', device, { ...(input.owner ? { owner: input.owner } : {}), kty: jwk.kty });
        return { status: 201, body: { device, owner: input.owner ?? null } };
      },
    },
    {
      method: 'DELETE',
      path: '/devices/:id/key',
      handler: async (req) => {
        const device = validateInput(deviceId, req.params.id);
        if (!(await deps.repo.deleteDeviceKey(device))) throw new WardenError('not_found', `device \`${device}\` has no enrolled key`);
        await deps.state.reload();
        audit(req, 'device.key.remove', device);
        return { body: { device, removed: true } };
      },
    },
    {
      method: 'GET',
      path: '/devices/:id/posture',
      handler: (req) => {
        const device = validateInput(deviceId, req.params.id);
        const records = deps.state.postureRecords(device);
        const effective = withPosture(deps.directory.device(device, 'certificate'), records, deps.postureMaxAgeMs, Date.now());
        const key = deps.state.deviceKey(device);
        return { body: { device, enrolledKey: key ? { owner: key.owner, createdAt: key.createdAt } : null, effective: { managed: effective.managed, compliant: effective.compliant, osPatched: effective.osPatched, diskEncrypted: effective.diskEncrypted, platform: effective.platform, sources: effective.sources ?? {} }, observations: records } };
      },
    },
    {
      method: 'GET',
      path: '/signals/principals',
      handler: async () => ({ body: { items: await deps.repo.listPrincipalStates() } }),
    },
    {
      method: 'POST',
      path: '/signals/principals/:id/enable',
      handler: async (req) => {
        const principal = validateInput(deviceId, req.params.id);
        await deps.repo.setDisabled(principal, null, new Date().toISOString());
        await deps.state.reload();
        audit(req, 'signals.account.enable', principal);
        return { body: { principal, disabled: false } };
      },
    },
    {
      method: 'GET',
      path: '/signals/outbox',
      query: ['status'],
      handler: async (req) => {
        const status = req.query.status === undefined ? undefined : validateInput(z.enum(['pending', 'delivered', 'dead']), req.query.status);
        const items = await deps.repo.listOutbox({ ...(status ? { status } : {}), limit: 500 });
        // The signed SETs stay in the store: the list says what, to whom and how it went.
        return { body: { items: items.map(({ set: _set, ...rest }) => rest) } };
      },
    },
  ];
}
