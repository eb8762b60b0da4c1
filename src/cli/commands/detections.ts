/** `warden detections list`: the risk engine's stored detections, newest first. */
import { UsageError, writeLine, type Command } from '../command.js';
import { parse, withStateStores } from '../options.js';

export const detectionsListCommand: Command = {
  name: 'detections list',
  summary: 'list risk detections (entity, type, score, time, explanation); --json prints JSON lines',
  usage: 'usage: warden detections list [--json] [--entity TYPE:ID] [--detector NAME] [--since ISO] [--limit N] [--config F] [--data-dir D]',
  async run(args, io) {
    const { values } = parse(args, { json: { type: 'boolean' }, entity: { type: 'string' }, detector: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' } });
    const [entityType, ...rest] = (values.entity ?? '').split(':');
    if (values.entity && (!entityType || rest.length === 0)) throw new UsageError('--entity: expected TYPE:ID, e.g. User:alice');
    if (values.since && Number.isNaN(Date.parse(values.since))) throw new UsageError(`--since: not an ISO-8601 time: \`${values.since}\``);
    const limit = values.limit === undefined ? 100 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new UsageError('--limit: expected an integer from 1 to 100000');
    return withStateStores(values, io, async ({ stores }) => {
      const rows = await stores.detections.list({
        ...(values.entity ? { entityType, entityId: rest.join(':') } : {}),
        ...(values.detector ? { detector: values.detector } : {}),
        ...(values.since ? { since: new Date(values.since).toISOString() } : {}),
        limit,
      });
      for (const d of rows) {
        if (values.json) {
          writeLine(io.stdout, JSON.stringify({ entity: d.entity, type: d.detector, score: d.score, severity: d.severity, time: d.time, explanation: d.explanation, contribution: d.contribution, id: d.id, ...(d.sessionId ? { sessionId: d.sessionId } : {}) }));
        } else {
          writeLine(io.stdout, `${d.time}  ${d.severity.padEnd(8)} ${d.detector.padEnd(26)} ${d.entity.type}:${d.entity.id}  ${d.explanation}`);
        }
      }
      return 0;
    }, { existing: true });
  },
};
