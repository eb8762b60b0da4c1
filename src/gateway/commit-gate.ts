/**
 * Acknowledged means recorded: the last byte of a response (the end of a JSON body, the end of a stream)
 * leaves only once the request's decision event is durable in the audit log. Until then `res.end` is held;
 * everything before it streams as usual. If the event cannot be made durable the connection is cut, so no
 * client ever holds a complete answer that the log lacks. The audit log's group commit keeps the wait to
 * one shared fsync per batch of requests.
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from '../core/index.js';
import type { Exchange } from './exchange.js';

export function holdEndUntilRecorded(ex: Exchange, res: ServerResponse, logger: Logger): void {
  // A failure is acted on where the end is held; a response that never ends has nothing to cut.
  ex.durable.catch(() => undefined);
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]) => {
    ex.durable.then(
      () => end(...args),
      (error: unknown) => {
        logger.error({ requestId: ex.requestId, err: error }, 'the decision could not be recorded durably; the response is cut');
        res.destroy();
      },
    );
    return res;
  }) as ServerResponse['end'];
}
