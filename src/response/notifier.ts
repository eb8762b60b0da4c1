/**
 * Delivers webhook notifications from the store: each is saved before the first attempt, retried with
 * exponential backoff (with jitter) until delivered or `maxAttempts` is reached, then kept as dead
 * letter for `warden response replay`. A receiver that is down for minutes loses nothing: the queue is
 * the store, so a restart resumes it.
 */
import { randomUUID } from 'node:crypto';
import { DeliveryLoop, type Logger, resolveSecret } from '../core/index.js';
import type { ResponseConfig } from './config.js';
import type { ResponseRepository } from './store/types.js';
import type { Notification } from './types.js';
import { signWebhook } from './webhook.js';

export interface NotifierOptions {
  repo: ResponseRepository;
  config: ResponseConfig['notify'];
  env: NodeJS.ProcessEnv;
  logger?: Logger;
  onDelivered?: (n: Notification) => void;
}

const POLL_MS = 250;

export class Notifier {
  private readonly loop = new DeliveryLoop(() => this.pass(), POLL_MS, (error: unknown) => this.options.logger?.error({ err: error }, 'webhook delivery pass failed'));

  constructor(private readonly options: NotifierOptions) {}

  /** Saves a notification (durably) and tries it at once. */
  async enqueue(input: { actionId: string; url: string; secretRef: string; body: string }): Promise<Notification> {
    const now = new Date().toISOString();
    const n: Notification = { id: randomUUID(), ...input, status: 'pending', attempts: 0, nextAttemptAt: now, createdAt: now, updatedAt: now };
    await this.options.repo.saveNotification(n);
    this.kick();
    return n;
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** Runs one pass over due notifications, now or right after the pass in progress. */
  kick(): void {
    this.loop.kick();
  }

  private async pass(): Promise<void> {
    const due = await this.options.repo.listNotifications({ status: 'pending', dueBy: new Date().toISOString(), limit: 100 });
    await Promise.all(due.map((n) => this.attempt(n)));
  }

  private async attempt(n: Notification): Promise<void> {
    const { config } = this.options;
    let error: string | undefined;
    try {
      const secret = resolveSecret(n.secretRef, 'response.playbooks[].actions[].secret', this.options.env);
      const response = await fetch(n.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'warden-response', ...signWebhook(secret, n.body, Date.now()).headers },
        body: n.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(config.timeoutMs),
      });
      await response.body?.cancel();
      if (response.status < 200 || response.status >= 300) error = `the receiver answered ${response.status}`;
    } catch (e) {
      error = e instanceof Error ? e.message.slice(0, 300) : 'delivery failed';
    }
    const attempts = n.attempts + 1;
    const now = Date.now();
    if (error === undefined) {
      const delivered: Notification = { ...n, attempts, status: 'delivered', updatedAt: new Date(now).toISOString() };
      delete delivered.lastError;
      await this.options.repo.saveNotification(delivered);
      this.options.onDelivered?.(delivered);
      return;
    }
    const backoff = Math.min(config.maxBackoffMs, config.initialBackoffMs * 2 ** (attempts - 1));
    const jittered = Math.round(backoff * (0.5 + Math.random() / 2));
    const dead = attempts >= config.maxAttempts;
    if (dead) this.options.logger?.warn({ notification: n.id, url: n.url, attempts }, 'webhook notification moved to the dead-letter store');
    await this.options.repo.saveNotification({ ...n, attempts, lastError: error, status: dead ? 'dead' : 'pending', nextAttemptAt: new Date(now + jittered).toISOString(), updatedAt: new Date(now).toISOString() });
  }
}

/** Puts dead letters (all, or the one named) back in the queue; returns how many. */
export async function replayDeadLetters(repo: ResponseRepository, id?: string): Promise<number> {
  const dead = id ? [await repo.getNotification(id)].filter((n): n is Notification => n?.status === 'dead') : await repo.listNotifications({ status: 'dead' });
  const now = new Date().toISOString();
  for (const n of dead) await repo.saveNotification({ ...n, status: 'pending', attempts: 0, nextAttemptAt: now, updatedAt: now });
  return dead.length;
}
