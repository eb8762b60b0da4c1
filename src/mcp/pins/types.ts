/**
 * The repository of pinned tool definitions (storage convention: async interface, SQLite and PostgreSQL
 * implementations, one conformance suite). A pin is one definition of one tool on one server, identified
 * by its hash; it is `pending` until enough distinct approvers approve it, `rejected` when one rejects it.
 */
import type { ToolDefinition } from './definition.js';
import type { DefinitionFinding } from './scan.js';

export type PinStatus = 'pending' | 'approved' | 'rejected';

export interface ToolPin {
  /** 16 hex digits derived from server, tool and hash: what `warden mcp tools approve` takes. */
  id: string;
  server: string;
  tool: string;
  hash: string;
  definition: ToolDefinition;
  status: PinStatus;
  findings: DefinitionFinding[];
  /** The approved definition this one would replace (a changed definition, "rug pull"), if any. */
  previousHash: string | null;
  /** Distinct approvers so far, in order. */
  approvals: string[];
  decidedBy: string | null;
  note: string | null;
  firstSeen: string;
  decidedAt: string | null;
}

export interface PinFilter {
  status?: PinStatus;
  server?: string;
}

export interface ToolPinRepository {
  /** Stores a definition seen for the first time; false (and nothing changed) when that hash is already pinned. */
  insertIfAbsent(pin: ToolPin): Promise<boolean>;
  get(id: string): Promise<ToolPin | undefined>;
  list(filter?: PinFilter): Promise<ToolPin[]>;
  /**
   * In one transaction: adds `approver` to a pending pin's approvals (once) and marks it approved when it
   * has `required` approvals. Undefined when there is no such pin; a pin that is no longer pending is
   * returned unchanged.
   */
  approve(id: string, approver: string, required: number, at: string): Promise<ToolPin | undefined>;
  /** Marks a pending pin rejected; returns it (unchanged when it was not pending), undefined when unknown. */
  reject(id: string, by: string, note: string | null, at: string): Promise<ToolPin | undefined>;
  close(): Promise<void>;
}
