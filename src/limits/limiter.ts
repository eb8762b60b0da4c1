/**
 * Admits a request against every limit rule that applies to it, in one atomic take, and charges a token
 * budget its actual usage after the answer. When the counter store cannot answer, `limits.failOpen`
 * decides: refuse (the default) or admit unlimited, logged and counted.
 */
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../core/index.js';
import type { LimitRule, LimitsConfig } from './config.js';
import { countersFor, type LimitSubject, type RuleCounter } from './rules.js';
import { CounterStoreUnavailable, type CounterStore } from './store/types.js';

/** One rule's counter after the take, as policies and the decision event see it. */
export interface LimitState {
  rule: string;
  unit: 'requests' | 'tokens';
  limit: number;
  used: number;
  remaining: number;
  windowSeconds: number;
}

export interface Admission {
  /** Every counter the request was checked against (empty when no rule applies or the store was down and the mode is open). */
  states: LimitState[];
  /** Token counters to charge after the answer. */
  tokenCounters: RuleCounter[];
}

export type AdmitResult =
  | { outcome: 'admitted'; admission: Admission }
  | { outcome: 'exceeded'; fired: LimitState; retryAfterSeconds: number }
  | { outcome: 'unavailable' };

export class Limiter {
  private readonly exceeded: Counter<'rule'>;
  private readonly unavailable: Counter<'mode'>;

  constructor(
    private readonly config: LimitsConfig,
    readonly store: CounterStore,
    private readonly logger: Logger,
    registry: Registry,
  ) {
    this.exceeded = new Counter({ name: 'warden_limits_exceeded_total', help: 'Requests refused with 429 by limit rule', labelNames: ['rule'] as const, registers: [registry] });
    this.unavailable = new Counter({
      name: 'warden_limits_unavailable_total',
      help: 'Requests the counter store could not check, by fail mode (closed: refused with 503; open: admitted unlimited)',
      labelNames: ['mode'] as const,
      registers: [registry],
    });
  }

  get rules(): readonly LimitRule[] {
    return this.config.rules;
  }

  /** Whether any token rule could apply to this subject (then a streamed answer is asked for its usage). */
  countsTokens(subject: LimitSubject): boolean {
    return countersFor(this.config.rules, subject).some((c) => c.rule.tokens !== undefined);
  }

  async admit(subject: LimitSubject, now?: number): Promise<AdmitResult> {
    const counters = countersFor(this.config.rules, subject);
    if (!counters.length) return { outcome: 'admitted', admission: { states: [], tokenCounters: [] } };
    const checks = counters.map(({ rule, key }) => ({ key, windowMs: rule.window, sliding: rule.algorithm === 'sliding', limit: rule.requests ?? rule.tokens!, cost: rule.requests !== undefined ? 1 : 0 }));
    let taken;
    try {
      taken = await this.store.take(checks, now);
    } catch (error) {
      return this.storeFailed(error, subject);
    }
    const states = counters.map(({ rule }, i) => {
      const v = taken.counters[i]!;
      return { rule: rule.name, unit: rule.requests !== undefined ? 'requests' : 'tokens', limit: rule.requests ?? rule.tokens!, used: v.used, remaining: v.remaining, windowSeconds: rule.window / 1000 } satisfies LimitState;
    });
    if (!taken.allowed) {
      // The refused counter that frees up last is the one the caller must wait for.
      let worst = -1;
      taken.counters.forEach((v, i) => {
        if (!v.allowed && (worst < 0 || v.retryAfterMs > taken.counters[worst]!.retryAfterMs)) worst = i;
      });
      const fired = states[worst]!;
      this.exceeded.inc({ rule: fired.rule });
      return { outcome: 'exceeded', fired, retryAfterSeconds: Math.ceil(taken.counters[worst]!.retryAfterMs / 1000) };
    }
    return { outcome: 'admitted', admission: { states, tokenCounters: counters.filter((c) => c.rule.tokens !== undefined) } };
  }

  /** Adds a request's token usage to its token budgets; a failure is logged (the answer has been given). */
  async charge(admission: Admission, tokens: number, now?: number): Promise<void> {
    if (!admission.tokenCounters.length || tokens <= 0) return;
    const charges = admission.tokenCounters.map(({ rule, key }) => ({ key, windowMs: rule.window, sliding: rule.algorithm === 'sliding', amount: Math.ceil(tokens) }));
    try {
      await this.store.charge(charges, now);
    } catch (error) {
      this.unavailable.inc({ mode: 'charge' });
      this.logger.error({ err: error, tokens }, 'a token budget could not be charged: the counter store did not answer');
    }
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  private storeFailed(error: unknown, subject: LimitSubject): AdmitResult {
    if (!(error instanceof CounterStoreUnavailable)) throw error;
    const mode = this.config.failOpen ? 'open' : 'closed';
    this.unavailable.inc({ mode });
    this.logger.warn({ err: error.cause ?? error, principal: subject.principal.id, route: subject.route, failOpen: this.config.failOpen }, this.config.failOpen ? 'limits not checked (counter store unavailable): admitted unlimited' : 'limits not checked (counter store unavailable): refused');
    return this.config.failOpen ? { outcome: 'admitted', admission: { states: [], tokenCounters: [] } } : { outcome: 'unavailable' };
  }
}
