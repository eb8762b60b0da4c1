/**
 * The offline npm detectors named in issue 4, behind one shape, for side-by-side evaluation only.
 * Installed under eval/package.json (never runtime dependencies). Each returns true when it flags.
 * A peer that throws on a text is counted as an error for that text, never as "not flagged".
 */
import { percentile, type ScoredRow } from './metrics.js';

export interface Peer {
  name: string;
  detect: (text: string) => Promise<boolean>;
}

interface VardModule { default?: { strict(): { safeParse(t: string): { safe: boolean } } }; vard?: { strict(): { safeParse(t: string): { safe: boolean } } } }
interface GuardrailModule { checkInjection(t: string): Promise<{ detected: boolean }> }
interface LlmGuardModule { LLMGuard: new (o: Record<string, unknown>) => { validate(t: string): Promise<{ isValid: boolean }> } }
interface HaiModule {
  injectionGuard(o: Record<string, unknown>, c: Record<string, unknown>): unknown;
  GuardrailsEngine: new (o: { guards: unknown[] }) => {
    run(m: Array<{ role: string; content: string }>): Promise<{ messagesWithGuardResult: Array<{ messages: Array<{ passed: boolean }> }> }>;
  };
}

async function load<T>(name: string): Promise<T> {
  return (await import(name)) as T;
}

/** Loads every peer that can be loaded; reports the ones that cannot, with the reason. */
export async function loadPeers(): Promise<{ peers: Peer[]; failed: Array<{ name: string; error: string }> }> {
  const peers: Peer[] = [];
  const failed: Array<{ name: string; error: string }> = [];
  const attempts: Array<[string, () => Promise<Peer['detect']>]> = [
    ['@andersmyrmel/vard (strict)', async () => {
      const m = await load<VardModule>('@andersmyrmel/vard');
      const vard = m.vard ?? m.default;
      if (vard === undefined) throw new Error('no vard export');
      const strict = vard.strict();
      return async (t) => !strict.safeParse(t).safe;
    }],
    ['llm_guardrail', async () => {
      const m = await load<GuardrailModule>('llm_guardrail');
      return async (t) => (await m.checkInjection(t)).detected;
    }],
    ['llm-guard', async () => {
      const m = await load<LlmGuardModule>('llm-guard');
      const g = new m.LLMGuard({ promptInjection: true, jailbreak: true });
      return async (t) => !(await g.validate(t)).isValid;
    }],
    ['@presidio-dev/hai-guardrails@1.11.1 (pattern)', async () => {
      const m = await load<HaiModule>('@presidio-dev/hai-guardrails');
      const engine = new m.GuardrailsEngine({ guards: [m.injectionGuard({ roles: ['user'] }, { mode: 'pattern', threshold: 0.5 })] });
      return async (t) => {
        const r = await engine.run([{ role: 'user', content: t }]);
        return r.messagesWithGuardResult.some((g) => g.messages.some((m) => !m.passed));
      };
    }],
  ];
  for (const [name, make] of attempts) {
    try {
      const detect = await make();
      await detect('hello world');
      peers.push({ name, detect });
    } catch (err) {
      failed.push({ name, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return { peers, failed };
}

export interface PeerRun {
  /** Verdicts on the texts the peer handled (texts it threw on are left out and counted in `errors`). */
  scored: ScoredRow[];
  errors: number;
  /** Median wall-clock time per text, ms. */
  p50: number;
}

/** Runs a peer over rows; a text it throws on is an error (counted per peer), never a verdict. */
export async function runPeer(peer: Peer, rows: ReadonlyArray<ScoredRow & { text: string }>): Promise<PeerRun> {
  const scored: ScoredRow[] = [];
  const times: number[] = [];
  let errors = 0;
  for (const r of rows) {
    const started = performance.now();
    let flagged: boolean;
    try {
      flagged = await peer.detect(r.text);
    } catch {
      // Counted below and reported per peer; the row is left out of this peer's rates.
      errors++;
      continue;
    } finally {
      times.push(performance.now() - started);
    }
    scored.push({ row: r.row, source: r.source, origin: r.origin, category: r.category, label: r.label, score: flagged ? 1 : 0, flagged });
  }
  times.sort((a, b) => a - b);
  return { scored, errors, p50: percentile(times, 50) };
}
