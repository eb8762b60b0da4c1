/** `warden incidents list|show|ack|contain|resolve|note|stats`: incidents, beside a running Warden. */
import { UsageError, writeLine, type Command } from '../command.js';
import { parse, withStateStores } from '../options.js';
import { incidentStats, type Incident, type IncidentState, type Resolution } from '../../response/index.js';
import { cliEngine } from './response.js';

const STATES: readonly IncidentState[] = ['open', 'acknowledged', 'contained', 'resolved'];
const RESOLUTIONS: readonly Resolution[] = ['true_positive', 'benign', 'false_positive'];

const actorOf = (as: string | undefined, env: NodeJS.ProcessEnv): string => `cli:${as ?? env.USER ?? 'unknown'}`;

export const incidentsListCommand: Command = {
  name: 'incidents list',
  summary: 'list incidents (latest activity first)',
  usage: `usage: warden incidents list [--state ${STATES.join('|')}] [--limit N] [--json] [--data-dir D] [--config FILE]`,
  async run(args, io) {
    const { values } = parse(args, { state: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } });
    if (values.state !== undefined && !STATES.includes(values.state as IncidentState)) throw new UsageError(`--state: expected one of ${STATES.join(', ')}`);
    const limit = values.limit === undefined ? 100 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError('--limit: expected an integer from 1 to 10000');
    return withStateStores(values, io, async ({ loaded, stores }) => {
      const { repo } = await cliEngine(loaded, stores, io);
      const incidents = await repo.listIncidents({ ...(values.state ? { state: [values.state as IncidentState] } : {}), limit });
      if (values.json) for (const i of incidents) writeLine(io.stdout, JSON.stringify(i));
      else {
        writeLine(io.stdout, 'ID                                        STATE         SEVERITY  KIND      ENTITIES                 TITLE');
        for (const i of incidents) writeLine(io.stdout, `${i.id}  ${i.state.padEnd(13)} ${i.severity.padEnd(9)} ${i.kind.padEnd(9)} ${i.entities.map((e) => `${e.type}::${e.id}`).join(',').slice(0, 24).padEnd(24)} ${i.title.slice(0, 80)}`);
      }
      return 0;
    });
  },
};

function show(i: Incident): string {
  const head = [`incident ${i.id} (${i.kind}, ${i.type})`, `state: ${i.state}${i.resolution ? ` (${i.resolution})` : ''}   severity: ${i.severity}   assignee: ${i.assignee ?? '-'}`, `entities: ${i.entities.map((e) => `${e.type}::${e.id}`).join(', ')}`, `indicators: ${i.indicators.join(', ') || '-'}`, 'timeline:'];
  return [...head, ...i.timeline.map((t) => `  ${t.time}  ${t.kind.padEnd(22)} ${t.text}${t.actor ? ` (${t.actor})` : ''}`)].join('\n');
}

export const incidentsShowCommand: Command = {
  name: 'incidents show',
  summary: 'show an incident and its timeline',
  usage: 'usage: warden incidents show ID [--json] [--data-dir D] [--config FILE]',
  async run(args, io) {
    const { values, positionals } = parse(args, { json: { type: 'boolean' } }, true);
    if (positionals.length !== 1) throw new UsageError('give exactly one incident id');
    return withStateStores(values, io, async ({ loaded, stores }) => {
      const incident = await (await cliEngine(loaded, stores, io)).engine.incidents.get(positionals[0]!);
      writeLine(io.stdout, values.json ? JSON.stringify(incident, null, 2) : show(incident));
      return 0;
    });
  },
};

function transition(verb: 'ack' | 'contain', to: 'acknowledged' | 'contained'): Command {
  return {
    name: `incidents ${verb}`,
    summary: `mark an incident ${to}`,
    usage: `usage: warden incidents ${verb} ID [--as NAME] [--data-dir D] [--config FILE]`,
    async run(args, io) {
      const { values, positionals } = parse(args, { as: { type: 'string' } }, true);
      if (positionals.length !== 1) throw new UsageError('give exactly one incident id');
      return withStateStores(values, io, async ({ loaded, stores }) => {
        const incident = await (await cliEngine(loaded, stores, io)).engine.incidents.transition(positionals[0]!, to, actorOf(values.as, io.env));
        writeLine(io.stdout, `${incident.id} is ${incident.state}`);
        return 0;
      });
    },
  };
}

export const incidentsAckCommand = transition('ack', 'acknowledged');
export const incidentsContainCommand = transition('contain', 'contained');

export const incidentsResolveCommand: Command = {
  name: 'incidents resolve',
  summary: 'resolve an incident (false_positive or benign also undoes its actions and clears the risk it added)',
  usage: `usage: warden incidents resolve ID --resolution ${RESOLUTIONS.join('|')} [--note TEXT] [--as NAME] [--data-dir D] [--config FILE]`,
  async run(args, io) {
    const { values, positionals } = parse(args, { 'resolution': { type: 'string' }, note: { type: 'string' }, as: { type: 'string' } }, true);
    if (positionals.length !== 1) throw new UsageError('give exactly one incident id');
    const resolution = values.resolution as Resolution | undefined;
    if (!resolution || !RESOLUTIONS.includes(resolution)) throw new UsageError(`--resolution: expected one of ${RESOLUTIONS.join(', ')}`);
    return withStateStores(values, io, async ({ loaded, stores }) => {
      const incident = await (await cliEngine(loaded, stores, io)).engine.resolveIncident(positionals[0]!, resolution, actorOf(values.as, io.env), values.note);
      writeLine(io.stdout, `${incident.id} is resolved as ${incident.resolution}`);
      return 0;
    });
  },
};

export const incidentsNoteCommand: Command = {
  name: 'incidents note',
  summary: 'add a note to an incident',
  usage: 'usage: warden incidents note ID TEXT [--as NAME] [--data-dir D] [--config FILE]',
  async run(args, io) {
    const { values, positionals } = parse(args, { as: { type: 'string' } }, true);
    if (positionals.length !== 2 || !positionals[1]) throw new UsageError('give an incident id and the note text');
    if (positionals[1].length > 4000) throw new UsageError('the note is longer than 4000 characters');
    return withStateStores(values, io, async ({ loaded, stores }) => {
      await (await cliEngine(loaded, stores, io)).engine.incidents.note(positionals[0]!, positionals[1]!, actorOf(values.as, io.env));
      writeLine(io.stdout, `note added to ${positionals[0]}`);
      return 0;
    });
  },
};

export const incidentsStatsCommand: Command = {
  name: 'incidents stats',
  summary: 'time to detect, acknowledge, contain and resolve (mean, p90); incidents per week by type; false-positive share',
  usage: 'usage: warden incidents stats [--json] [--data-dir D] [--config FILE]',
  async run(args, io) {
    const { values } = parse(args, { json: { type: 'boolean' } });
    return withStateStores(values, io, async ({ loaded, stores }) => {
      const stats = incidentStats(await (await cliEngine(loaded, stores, io)).repo.listIncidents());
      if (values.json) {
        writeLine(io.stdout, JSON.stringify(stats));
        return 0;
      }
      const fmt = (d: { count: number; meanSeconds: number | null; p90Seconds: number | null }): string => (d.count ? `mean ${d.meanSeconds}s  p90 ${d.p90Seconds}s  (${d.count})` : 'no data');
      writeLine(io.stdout, `incidents: ${stats.incidents} (${stats.open} not resolved)`);
      writeLine(io.stdout, `time to detect:      ${fmt(stats.timeToDetect)}`);
      writeLine(io.stdout, `time to acknowledge: ${fmt(stats.timeToAcknowledge)}`);
      writeLine(io.stdout, `time to contain:     ${fmt(stats.timeToContain)}`);
      writeLine(io.stdout, `time to resolve:     ${fmt(stats.timeToResolve)}`);
      writeLine(io.stdout, `false positives:     ${stats.falsePositiveShare === null ? 'no resolved incidents' : `${Math.round(stats.falsePositiveShare * 1000) / 10}% of ${stats.resolved} resolved`}`);
      for (const [week, types] of Object.entries(stats.perWeek).sort()) writeLine(io.stdout, `week of ${week}: ${Object.entries(types).map(([t, n]) => `${t} ${n}`).join(', ')}`);
      return 0;
    });
  },
};
