/** Measures one full decision in-process: build the Cedar request from an identity, evaluate, step-up check. */
import type { Identity } from '../../src/core/types.js';
import { PolicyDecisionPoint, buildCedarRequest, demoPolicyDir, readBundle } from '../../src/policy/index.js';
import type { EngineName } from '../../src/policy/engine/types.js';

export function measureDecisions(engine: EngineName, iterations: number): { p50Us: number; p99Us: number; perSecond: number } {
  const pdp = new PolicyDecisionPoint(engine);
  pdp.load(1, readBundle(demoPolicyDir(), '', ''));
  const identity: Identity = {
    principal: { kind: 'User', id: 'alice', attributes: { clearance: 2, department: 'engineering' }, groups: ['engineering'], roles: ['user'] },
    authentication: { method: 'apikey', strength: 1, mfa: false, scopes: ['*'] },
  };
  const resource = { type: 'Model', id: 'demo-chat', attributes: { sensitivity: 'internal', owner: 'platform' } };
  const samples = new Float64Array(iterations);
  const run = (): void => {
    const { request, entities } = buildCedarRequest(identity, 'invoke', resource, {
      now: new Date(),
      sourceIp: '10.1.2.3',
      risk: { score: 0, factors: [] },
      request: { model: 'demo-chat', bytes: 120, stream: false, method: 'POST', path: '/v1/chat/completions' },
    });
    if (pdp.decide(request, entities).outcome !== 'allow') throw new Error('unexpected decision');
  };
  for (let i = 0; i < 2000; i++) run();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    run();
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const total = Number(process.hrtime.bigint() - start) / 1e9;
  samples.sort();
  return { p50Us: samples[Math.floor(iterations * 0.5)]!, p99Us: samples[Math.floor(iterations * 0.99)]!, perSecond: iterations / total };
}
