/**
 * The transmitter: Warden tells subscribed receivers (an identity provider, another Warden) what its own
 * detections concluded, as signed SETs pushed per RFC 8935.
 *
 * - a response action that refuses a principal (`revoke_credentials`, `quarantine`) in force →
 *   CAEP `session-revoked`;
 * - a risk score crossing a threshold → CAEP `risk-level-change` (LOW < 50 ≤ MEDIUM < 80 ≤ HIGH).
 *
 * Each SET is stored in the outbox before the first attempt (one per receiver), so a restart loses
 * nothing; attempts retry with exponential backoff and jitter until the receiver acknowledges (2xx) or
 * `maxAttempts`. A 400 is the receiver refusing that SET (RFC 8935 section 2.3): the same bytes would be
 * refused again, so it is dead at once. The SET's `jti` is fixed at enqueue time, so a receiver that
 * acknowledged an attempt whose answer was lost recognises the retry as a duplicate.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { type WardenEvent, DeliveryLoop, type Logger, resolveSecret } from '../core/index.js';
import type { EventBus } from '../events/index.js';
import type { Directory } from '../identity/index.js';
import type { SignalsConfig, SubscriberConfig } from './config.js';
import { CAEP } from './events.js';
import type { SigningKey } from './signing-key.js';
import type { OutboxRecord, SignalsRepository } from './store/types.js';

export type TransmittedEvent = SubscriberConfig['events'][number];

export interface TransmitterOptions {
  config: SignalsConfig['transmitter'];
  key: SigningKey;
  repo: SignalsRepository;
  directory: Directory;
  env: NodeJS.ProcessEnv;
  /** The SETs' `iss` (configured, else Warden's public URL once known). */
  issuer(): string;
  logger?: Logger;
}

export interface Outgoing {
  event: TransmittedEvent;
  principal: string;
  /** Epoch seconds. */
  eventTimestamp: number;
  fields: Record<string, unknown>;
}

const POLL_MS = 250;
const PRINCIPAL_TYPES = new Set(['User', 'Agent', 'Service']);
const REFUSING_ACTIONS = new Set(['revoke_credentials', 'quarantine']);

/** What Warden transmits for a bus event, if anything. */
export function outgoingFor(event: WardenEvent): Outgoing | undefined {
  const at = Math.floor(Date.parse(event.time) / 1000);
  if (event.type === 'response') {
    const details = event.details ?? {};
    const refuses = REFUSING_ACTIONS.has(event.action) && details.status === 'active' && (event.action !== 'quarantine' || (details.params as Record<string, unknown> | undefined)?.mode !== 'step_up');
    if (!refuses || !PRINCIPAL_TYPES.has(event.target.type)) return undefined;
    return { event: 'session-revoked', principal: event.target.id, eventTimestamp: at, fields: { initiating_entity: 'policy', reason_admin: { en: `Warden ${event.action}: ${event.reason}`.slice(0, 500) } } };
  }
  if (event.type === 'risk' && event.threshold !== undefined) {
    const current = riskLevel(event.score);
    const previous = riskLevel(event.previous);
    if (current === previous) return undefined;
    return { event: 'risk-level-change', principal: event.principal.id, eventTimestamp: at, fields: { principal: event.principal.type === 'User' ? 'USER' : 'SERVICE', current_level: current, previous_level: previous, risk_reason: `Warden risk score ${event.previous} -> ${event.score}` } };
  }
  return undefined;
}

export function riskLevel(score: number): 'LOW' | 'MEDIUM' | 'HIGH' {
  return score >= 80 ? 'HIGH' : score >= 50 ? 'MEDIUM' : 'LOW';
}

export class Transmitter {
  private readonly loop = new DeliveryLoop(() => this.pass(), POLL_MS, (error: unknown) => this.options.logger?.error({ err: error }, 'SET delivery pass failed'));
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: TransmitterOptions) {}

  /** Follows the bus and starts delivering (a running Warden). */
  start(bus: EventBus): void {
    const sub = bus.subscribe(async (event) => void (await this.transmit(event)), { name: 'ssf-transmitter', types: ['response', 'risk'] });
    this.unsubscribe = () => sub.unsubscribe();
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.loop.stop();
  }

  /** Stores one SET per subscribed receiver for the event (if Warden transmits it), then tries them. */
  async transmit(event: WardenEvent): Promise<number> {
    const outgoing = outgoingFor(event);
    if (!outgoing) return 0;
    let n = 0;
    for (const receiver of this.options.config.receivers) {
      if (!receiver.events.includes(outgoing.event)) continue;
      await this.enqueue(receiver, outgoing);
      n++;
    }
    if (n > 0) this.loop.kick();
    return n;
  }

  private async enqueue(receiver: SubscriberConfig, outgoing: Outgoing): Promise<void> {
    const { key } = this.options;
    const now = new Date();
    const email = this.options.directory.principal(outgoing.principal).attributes.email;
    const subject = typeof email === 'string' ? { format: 'email', email } : { format: 'opaque', id: outgoing.principal };
    const set = await new SignJWT({ sub_id: subject, events: { [`${CAEP}${outgoing.event}`]: { event_timestamp: outgoing.eventTimestamp, ...outgoing.fields } } })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'secevent+jwt' })
      .setIssuer(this.options.issuer())
      .setAudience(receiver.audience)
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setJti(randomUUID())
      .sign(key.key);
    const iso = now.toISOString();
    await this.options.repo.enqueue({ id: randomUUID(), receiver: receiver.name, event: outgoing.event, set, status: 'pending', attempts: 0, nextAttemptAt: iso, lastError: null, createdAt: iso, updatedAt: iso });
  }

  private async pass(): Promise<void> {
    const due = await this.options.repo.dueOutbox(new Date().toISOString(), 100);
    await Promise.all(due.map((m) => this.attempt(m)));
  }

  private async attempt(m: OutboxRecord): Promise<void> {
    const { config } = this.options;
    const receiver = config.receivers.find((r) => r.name === m.receiver);
    let error: string | undefined;
    let permanent = false;
    if (!receiver) {
      error = 'the receiver is no longer configured';
      permanent = true;
    } else {
      try {
        const authorization: Record<string, string> = receiver.authorization ? { authorization: `Bearer ${resolveSecret(receiver.authorization, `signals.transmitter.receivers.${receiver.name}.authorization`, this.options.env)}` } : {};
        const response = await fetch(receiver.url, {
          method: 'POST',
          headers: { 'content-type': 'application/secevent+jwt', accept: 'application/json', 'user-agent': 'warden-ssf', ...authorization },
          body: m.set,
          redirect: 'manual',
          signal: AbortSignal.timeout(config.timeoutMs),
        });
        const text = response.status === 400 ? (await response.text()).slice(0, 300) : (await response.body?.cancel(), '');
        if (response.status < 200 || response.status >= 300) {
          error = `the receiver answered ${response.status}${text ? `: ${text}` : ''}`;
          permanent = response.status === 400;
        }
      } catch (e) {
        error = e instanceof Error ? e.message.slice(0, 300) : 'delivery failed';
      }
    }
    const attempts = m.attempts + 1;
    const now = Date.now();
    if (error === undefined) {
      await this.options.repo.updateOutbox({ ...m, attempts, status: 'delivered', lastError: null, updatedAt: new Date(now).toISOString() });
      return;
    }
    const dead = permanent || attempts >= config.maxAttempts;
    if (dead) this.options.logger?.warn({ set: m.id, receiver: m.receiver, attempts, error }, 'a SET could not be delivered and was given up');
    const backoff = Math.min(config.maxBackoffMs, config.initialBackoffMs * 2 ** (attempts - 1));
    const jittered = Math.round(backoff * (0.5 + Math.random() / 2));
    await this.options.repo.updateOutbox({ ...m, attempts, lastError: error, status: dead ? 'dead' : 'pending', nextAttemptAt: new Date(now + jittered).toISOString(), updatedAt: new Date(now).toISOString() });
  }
}
