/** Prometheus metrics for the gateway, on a registry of its own (so tests can create several apps). */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly decisions = new Counter({
    name: 'warden_decisions_total',
    help: 'Access decisions by outcome, route and whether they were enforced',
    labelNames: ['outcome', 'route', 'enforced'] as const,
    registers: [this.registry],
  });
  readonly decisionSeconds = new Histogram({
    name: 'warden_decision_duration_seconds',
    help: 'Time to authenticate and decide one request',
    labelNames: ['route'] as const,
    buckets: [0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
    registers: [this.registry],
  });
  readonly upstreamSeconds = new Histogram({
    name: 'warden_upstream_duration_seconds',
    help: 'Time until the upstream answered with headers',
    labelNames: ['upstream', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'warden_errors_total',
    help: 'Requests that ended in an error, by error code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly policyFallback = new Counter({
    name: 'warden_policy_engine_fallback_total',
    help: 'Policy sets that the compiled engine could not take, decided by cedar-wasm instead',
    registers: [this.registry],
  });
  readonly policyReloads = new Counter({
    name: 'warden_policy_reloads_total',
    help: 'Policy set loads by result',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'warden_' });
  }
}
