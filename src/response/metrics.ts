/**
 * The response module's Prometheus series, on the gateway's registry: containment latency, actions by
 * type and status, and the incident measures (recomputed from the store after each incident change).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { incidentStats, weekStart, type IncidentStats } from './measures.js';
import type { ResponseRepository } from './store/types.js';

export class ResponseMetrics {
  readonly containment: Histogram;
  readonly actions: Counter<'type' | 'status'>;
  private stats: IncidentStats | undefined;
  private recompute: Promise<void> | undefined;
  private stale = false;

  constructor(registry: Registry, private readonly repo: ResponseRepository) {
    this.containment = new Histogram({
      name: 'warden_response_containment_seconds',
      help: 'From a detection reaching the response engine to its first containing action in force',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 30],
      registers: [registry],
    });
    this.actions = new Counter({ name: 'warden_response_actions_total', help: 'Response actions recorded, by type and status', labelNames: ['type', 'status'], registers: [registry] });
    const read = (): IncidentStats | undefined => this.stats;
    new Gauge({
      name: 'warden_incident_duration_seconds',
      help: 'Incident measures: time to detect, acknowledge, contain and resolve (mean and p90)',
      labelNames: ['measure', 'stat'],
      registers: [registry],
      collect() {
        const s = read();
        if (!s) return;
        for (const [measure, d] of [['detect', s.timeToDetect], ['acknowledge', s.timeToAcknowledge], ['contain', s.timeToContain], ['resolve', s.timeToResolve]] as const) {
          if (d.meanSeconds !== null) this.set({ measure, stat: 'mean' }, d.meanSeconds);
          if (d.p90Seconds !== null) this.set({ measure, stat: 'p90' }, d.p90Seconds);
        }
      },
    });
    new Gauge({
      name: 'warden_incidents_this_week',
      help: 'Incidents opened this ISO week (UTC), by type',
      labelNames: ['type'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [type, n] of Object.entries(read()?.perWeek[weekStart(new Date().toISOString())] ?? {})) this.set({ type }, n);
      },
    });
    new Gauge({
      name: 'warden_incidents_false_positive_ratio',
      help: 'Share of resolved incidents resolved as false positive',
      registers: [registry],
      collect() {
        const share = read()?.falsePositiveShare;
        if (share !== undefined && share !== null) this.set(share);
      },
    });
  }

  /** Recomputes the incident measures from the store (coalesced: one pass at a time). */
  refresh(): Promise<void> {
    if (this.recompute) {
      this.stale = true;
      return this.recompute;
    }
    this.recompute = this.repo
      .listIncidents()
      .then((incidents) => {
        this.stats = incidentStats(incidents);
      })
      .finally(() => {
        this.recompute = undefined;
        if (this.stale) {
          this.stale = false;
          void this.refresh();
        }
      });
    return this.recompute;
  }
}
