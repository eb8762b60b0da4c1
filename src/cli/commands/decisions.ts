import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError, writeLine, type Command } from '../command.js';
import { parse, withStateStores } from '../options.js';

const QUERY_OPTIONS = {
  principal: { type: 'string' },
  outcome: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  after: { type: 'string' },
  limit: { type: 'string' },
} as const;

export const decisionsQueryCommand: Command = {
  name: 'decisions query',
  summary: 'query recorded decisions (JSON lines on stdout; the next-page cursor on stderr as `more: --after SEQ`)',
  usage: `usage: warden decisions query [--principal ID] [--outcome allow|deny|step_up] [--since ISO] [--until ISO] [--after SEQ] [--limit N] [--data-dir D]

Prints one decision per line (JSON) on standard output. When more match, the last line on standard error is
\`more: --after SEQ\`: pass it to get the next page (standard output stays pure JSON lines).`,
  async run(args, io) {
    const { values } = parse(args, QUERY_OPTIONS);
    if (values.outcome && !['allow', 'deny', 'step_up'].includes(values.outcome)) throw new UsageError('--outcome: expected allow, deny or step_up');
    for (const t of [values.since, values.until]) if (t && Number.isNaN(Date.parse(t))) throw new UsageError(`not an ISO-8601 time: \`${t}\``);
    for (const [flag, n] of [['--after', values.after], ['--limit', values.limit]] as const) {
      if (n !== undefined && !/^\d{1,15}$/.test(n)) throw new UsageError(`${flag}: expected a whole number, not \`${n}\``);
    }
    return withStateStores(values, io, async ({ stores }) => {
      const page = await stores.decisions.query({
        ...(values.principal ? { principal: values.principal } : {}),
        ...(values.outcome ? { outcome: values.outcome } : {}),
        ...(values.since ? { since: new Date(values.since).toISOString() } : {}),
        ...(values.until ? { until: new Date(values.until).toISOString() } : {}),
        ...(values.after ? { after: Number(values.after) } : {}),
        ...(values.limit ? { limit: Number(values.limit) } : {}),
      });
      for (const item of page.items) writeLine(io.stdout, JSON.stringify(item));
      if (page.next !== undefined) writeLine(io.stderr, `more: --after ${page.next}`);
      return 0;
    }, { existing: true });
  },
};

export const decisionsTailCommand: Command = {
  name: 'decisions tail',
  summary: 'print new decisions as they are recorded (JSON lines) until interrupted',
  usage: 'usage: warden decisions tail [--principal ID] [--outcome O] [--interval-ms N] [--data-dir D]',
  async run(args, io) {
    const { values } = parse(args, { principal: { type: 'string' }, outcome: { type: 'string' }, 'interval-ms': { type: 'string' } });
    const interval = Math.max(100, Number(values['interval-ms'] ?? 500));
    return withStateStores(values, io, async ({ stores }) => {
      let after = await stores.decisions.lastSeq();
      let running = true;
      const stop = () => (running = false);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      while (running) {
        const page = await stores.decisions.query({ after, limit: 1000, ...(values.principal ? { principal: values.principal } : {}), ...(values.outcome ? { outcome: values.outcome } : {}) });
        for (const item of page.items) writeLine(io.stdout, JSON.stringify(item));
        if (page.items.length) after = page.items.at(-1)!.seq;
        if (!page.next) await sleep(interval);
      }
      return 0;
    }, { existing: true });
  },
};
