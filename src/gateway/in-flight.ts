/**
 * The requests in flight, so that a response action can end those of one principal at once: a stream
 * opened before a quarantine or a revocation must not keep flowing after it. Requests are tracked from
 * arrival to the response's close; who made one is read when cutting (after authentication it is
 * `ex.identity`), so tracking costs one set insertion and deletion per request.
 */
import type { ServerResponse } from 'node:http';
import type { EntityRef } from '../core/index.js';
import type { Exchange } from './exchange.js';

export class InFlightRequests {
  private readonly open = new Map<Exchange, ServerResponse>();

  track(ex: Exchange, res: ServerResponse): void {
    this.open.set(ex, res);
    res.once('close', () => this.open.delete(ex));
  }

  get size(): number {
    return this.open.size;
  }

  /** Destroys the connection of every allowed request made by (or on behalf of) the principal; returns how many. */
  cut(principal: EntityRef): number {
    let n = 0;
    for (const [ex, res] of this.open) {
      const identity = ex.identity;
      // Only what is being served: a request already refused (or failed) keeps its error answer.
      if (!identity || ex.outcome !== 'allow' || ex.errorCode !== undefined) continue;
      const concerned = [identity.principal, identity.delegation?.onBehalfOf].some((p) => p !== undefined && p.kind === principal.type && p.id === principal.id);
      if (!concerned) continue;
      ex.errorCode = 'access_cut';
      res.destroy();
      this.open.delete(ex);
      n++;
    }
    return n;
  }
}
