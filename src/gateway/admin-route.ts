/**
 * How a module exposes admin API endpoints without touching the HTTP server: it exports a list of
 * `AdminRoute`s, and the gateway mounts them under `/admin/` behind admin authentication (the caller must
 * hold the `admin` role, or the role named in `roles`). Handlers receive parsed, size-limited input and
 * return a value; throwing a `WardenError` yields the one JSON error shape with its status.
 */
import type { Identity } from '../core/types.js';

export interface AdminRequest {
  /** Path parameters from `:name` segments of the pattern. */
  params: Record<string, string>;
  /** Query string, first value of each key. */
  query: Record<string, string>;
  /** Parsed JSON body (undefined for GET or an empty body). */
  body: unknown;
  /** Raw body text, for endpoints that take JSON Lines or other text formats. */
  rawBody: string;
  identity: Identity;
}

export interface AdminResponse {
  status?: number;
  /** Serialised as JSON unless `contentType` says otherwise (then it must be a string). */
  body: unknown;
  contentType?: string;
}

export interface AdminRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Pattern under /admin, e.g. `/audit/proofs/inclusion/:index`. */
  path: string;
  /** Roles allowed (any of); default `['admin']`. */
  roles?: string[];
  handler(request: AdminRequest): Promise<AdminResponse> | AdminResponse;
}
