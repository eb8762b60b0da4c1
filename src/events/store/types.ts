/**
 * Persistence of the decision table (issue 12 storage convention): the queryable record of decisions that
 * the admin API, the CLI and the console read. Two implementations, `sqlite.ts` and `postgres.ts`, pass
 * the same conformance suite (`test/store/decisions.test.ts`). The table is derived: the audit log holds
 * the durable, tamper-evident copy of every decision, so a row here is never what makes a decision durable.
 *
 * Method names follow the functions they replace (`DecisionLog.query`, `DecisionStats.list|overview|…`).
 */
import type { DecisionEvent } from '../../core/index.js';

/** A stored decision with its position in the table (the pagination key). */
export type RecordedDecision = DecisionEvent & { seq: number };

/** The admin API's and the CLI's query: oldest first, pages continue `after` the last `seq`. */
export interface DecisionQuery {
  /** One decision by its id. */
  decisionId?: string;
  /** `Type::id`, or a bare id of any type. */
  principal?: string;
  outcome?: string;
  since?: string;
  until?: string;
  /** Return rows with seq greater than this (pagination cursor). */
  after?: number;
  limit?: number;
}

export interface DecisionPage {
  items: RecordedDecision[];
  /** Pass as `after` (oldest-first queries) or `before` (newest-first lists) to get the next page; absent on the last page. */
  next?: number;
}

/** The console's list: newest first, pages continue `before` the last `seq`. */
export interface DecisionListQuery {
  /** `Type::id`. */
  principal?: string | undefined;
  outcome?: string | undefined;
  /** `Type::id`. */
  resource?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  before?: number | undefined;
  limit: number;
  /** The console's own API calls are left out unless asked for. */
  includeConsole?: boolean | undefined;
}

export interface DecisionOverview {
  since: string;
  perMinute: { minute: string; allow: number; deny: number; step_up: number }[];
  totals: { allow: number; deny: number; step_up: number };
  topDeniedPrincipals: { principal: string; count: number }[];
  topDeniedResources: { resource: string; count: number }[];
  /** Decisions by risk score band (0-9, 10-19, ... 90-100). */
  riskBands: { band: string; count: number }[];
}

export interface RiskHour {
  /** `YYYY-MM-DDTHH` (UTC). */
  hour: string;
  /** The highest risk score seen in the hour, or null if none was recorded. */
  risk: number | null;
  decisions: number;
  refused: number;
}

export interface DecisionRepository {
  /** Stores decisions; one already stored (same event id) is skipped, so a batch may be written twice. */
  append(events: readonly DecisionEvent[]): Promise<void>;
  /**
   * Stores decisions read from the audit log and moves the table's position in the log to `position`,
   * atomically: after a crash the table resumes exactly where its rows end.
   */
  appendFromLog(events: readonly DecisionEvent[], position: number): Promise<void>;
  /** Where the table stands in the audit log it follows: every decision before this position is in it. */
  position(): Promise<number>;
  /** The highest `seq` stored (0 when empty): where a tail starts. */
  lastSeq(): Promise<number>;
  /** Oldest first (admin API, CLI). */
  query(q: DecisionQuery): Promise<DecisionPage>;
  /** One decision by the id a client saw (`x-warden-decision-id`). */
  get(decisionId: string): Promise<RecordedDecision | undefined>;
  /** Newest first (the console lists the latest); `principal` and `resource` are `Type::id`. */
  list(q: DecisionListQuery): Promise<DecisionPage>;
  /** The newest recorded decisions of traffic (not admin or console calls) since a time, newest first. */
  recent(since: Date, limit: number): Promise<DecisionEvent[]>;
  /** A principal's hourly peak risk score and refusals since a time (`principal` is `Type::id`). */
  riskOverTime(principal: string, since: Date): Promise<RiskHour[]>;
  /** Decisions by outcome since a time, every route included (the compliance report's figure). */
  totals(since: Date): Promise<{ allow: number; deny: number; step_up: number }>;
  /** The console's overview since a time, the console's own API calls left out. */
  overview(since: Date): Promise<DecisionOverview>;
}
