/** Shapes the guard hands to the gateway: findings (never raw values), Cedar context, inspection results. */
import type { ErrorCode } from '../core/index.js';
import type { DlpAction, DlpType, TokenVault } from './dlp/index.js';

/** Output-only finding types besides the DLP ones. */
export type OutputFindingType = 'CANARY_LEAK' | 'EXFILTRATION' | 'TOOL_INJECTION';
export type GuardFindingType = DlpType | 'INJECTION' | OutputFindingType;

export interface GuardFinding {
  type: GuardFindingType;
  subtype?: string;
  /** Offsets in the scanned text (the message's text for requests, the answer stream for outputs). */
  start: number;
  end: number;
  /** Index of the message (requests); absent for outputs. */
  messageIndex?: number;
  /** JSON path of the text in the request body, dotted (`messages.2.content`). */
  path?: string;
  /** Signals that fired (detector names, injection reasons). */
  reasons: string[];
  confidence: number;
  /** What was done: a DLP action, or `stop` / `flag` for output checks. */
  action: DlpAction | 'stop' | 'flag';
}

/** Cedar `context.guard`: sets are JSON arrays (Cedar's JSON form of a Set). */
export interface GuardContext {
  /** 0..100, the highest injection score of any scanned text. */
  injectionScore: number;
  flagged: boolean;
  piiTypes: string[];
  secretTypes: string[];
}

export interface GuardBlock {
  code: ErrorCode;
  message: string;
}

export interface RequestInspection {
  context: GuardContext;
  findings: GuardFinding[];
  /** The body to forward: a copy with texts masked/redacted/tokenized; the original when nothing changed. */
  body: unknown;
  blocked?: GuardBlock;
  /** Reversible tokens issued for this request (pass it to the output inspector). */
  tokenVault?: TokenVault;
  /** Non-text parts seen and not scanned (images, audio, files, token arrays). */
  unscanned: { path: string; type: string }[];
  /** True when the scan limit cut the scan short (overLimit: truncate). */
  truncated: boolean;
  /** True when inspection failed and the route fails open: nothing was inspected. */
  failedOpen?: boolean;
  latencyMs: number;
}

export interface OutputChunkResult {
  /** Text to send to the client now (possibly empty while suspicious text is held back). */
  text: string;
  /** Set once the stream must end: send a final error event with this code and message. */
  stop?: GuardBlock;
}

export interface OutputInspector {
  push(delta: string): OutputChunkResult;
  /** Flushes what is held back; call once when the upstream stream ends. */
  end(): { text: string; findings: GuardFinding[]; stop?: GuardBlock };
}
