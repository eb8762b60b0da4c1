/**
 * How a module exposes admin API endpoints without touching the HTTP server: it exports a list of
 * `AdminRoute`s, and the gateway mounts them under `/admin/` behind admin authentication (the caller must
 * hold the `admin` role, or the role named in `roles`). Handlers receive parsed, size-limited input and
 * return a value; throwing a `WardenError` yields the one JSON error shape with its status.
 */
import type { Identity } from '../core/index.js';

export interface AdminRequest {
  /** Path parameters from `:name` segments of the pattern. */
  params: Record<string, string>;
  /** Query string: only the names the route declares in `query`, each at most once. */
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
  /**
   * The query parameters the route reads. Any other name, or a name given twice, is refused with 400:
   * a misspelt filter must not silently widen an answer (`?decisonId=` listing every decision).
   */
  query?: readonly string[];
  /** Roles allowed (any of); default `['admin']`. */
  roles?: string[];
  /** Any authenticated principal may call it (the handler decides who may do what, e.g. access requests). */
  anyPrincipal?: boolean;
  handler(request: AdminRequest): Promise<AdminResponse> | AdminResponse;
}
