/** Verdicts of the unsafe-model scanner, ordered from best to worst. */
export type Verdict = 'safe' | 'suspicious' | 'dangerous';

const RANK: Record<Verdict, number> = { safe: 0, suspicious: 1, dangerous: 2 };

export function worst(...verdicts: Verdict[]): Verdict {
  return verdicts.reduce<Verdict>((a, b) => (RANK[b] > RANK[a] ? b : a), 'safe');
}

export interface Finding {
  verdict: Verdict;
  /** Stable kind: `pickle.import`, `safetensors.header`, `keras.lambda`, `onnx.external_data`, ... */
  kind: string;
  message: string;
  /** Member inside an archive (`archive/data.pkl`), when relevant. */
  member?: string;
  offset?: number;
  details?: Record<string, unknown>;
}

export interface FileReport {
  path: string;
  format: string;
  verdict: Verdict;
  findings: Finding[];
}
