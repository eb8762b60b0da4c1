/**
 * Stores posture observations and tells the rest of Warden: a source saying a device is not compliant
 * is a `posture.noncompliant` detection (audited; playbooks can isolate the device). An observation
 * older than what the same source already said is ignored.
 */
import type { EventBus } from '../../events/index.js';
import type { SignalState } from '../state.js';
import type { SignalsRepository } from '../store/types.js';
import type { PostureObservation } from './mappings.js';

export interface PostureSink {
  repo: SignalsRepository;
  state: SignalState;
  bus: EventBus;
  instanceId: string;
}

/** Returns how many observations were stored (newer than the source's last word on the device). */
export async function recordPosture(sink: PostureSink, source: string, observations: readonly PostureObservation[], nowMs: number): Promise<number> {
  const receivedAt = new Date(nowMs).toISOString();
  let stored = 0;
  for (const o of observations) {
    if (!(await sink.repo.savePosture({ device: o.device, source, facts: o.facts, observedAt: o.observedAt, receivedAt }))) continue;
    stored++;
    if (o.facts.compliant === false) {
      sink.bus.publish({
        type: 'detection',
        source: sink.instanceId,
        detector: 'posture.noncompliant',
        category: 'device',
        entity: { type: 'Device', id: o.device },
        score: 0,
        severity: 'medium',
        explanation: `\`${source}\` reports device \`${o.device}\` out of compliance`,
        details: { device: o.device, postureSource: source, observedAt: o.observedAt, facts: o.facts },
      });
    }
  }
  if (stored > 0) await sink.state.reload();
  return stored;
}
