/**
 * One instance's risk partitioning, as its own process for test/risk/partitions.test.ts (so that the test
 * can kill -9 it): a risk engine, the router and the partition owner over a private nats-server and a
 * PostgreSQL schema. Prints the buckets it owns as a JSON line whenever they change; SIGTERM closes it
 * gracefully (every bucket saved and released).
 */
import { createLogger } from '../../src/core/logger.js';
import { NatsLink } from '../../src/cluster/nats-link.js';
import { NatsBus } from '../../src/events/nats/bus.js';
import { Outbox } from '../../src/events/nats/outbox.js';
import { createRiskEngine, openMemoryDatabase } from '../../src/risk/index.js';
import { RiskPartitions } from '../../src/risk/partition/owner.js';
import { routeRiskEvents } from '../../src/risk/partition/router.js';
import { PgRiskStateRepository } from '../../src/risk/store/postgres.js';
import { openDatabase } from '../../src/store/index.js';
import { openPostgres } from '../../src/store/postgres.js';

const env = (name: string): string => process.env[name] ?? (console.error(`${name} is required`), process.exit(2));
const buckets = Number(env('BUCKETS'));
const logger = createLogger(process.env.TEST_LOG ?? 'silent');
const pool = await openPostgres(env('DATABASE_URL'), { max: 4 });
const repo = await PgRiskStateRepository.open(pool);
const engine = createRiskEngine({ db: openMemoryDatabase(), config: { persistIntervalSeconds: 0 }, geo: null });
const link = new NatsLink({ url: env('NATS_URL'), logger, retryMs: 50 });
const bus = new NatsBus({ link, outbox: new Outbox(openDatabase(env('DATA_DIR'), 'outbox.db')), logger });
const router = routeRiskEvents(bus, link, buckets);
const partitions = new RiskPartitions({ link, engine, repo, instanceId: env('INSTANCE'), logger, buckets, leaseMs: 3000, renewMs: 300, checkpointMs: 200 });
link.start();
partitions.start();

let last = '';
const report = setInterval(() => {
  const owned = JSON.stringify(partitions.owned());
  if (owned !== last) process.stdout.write(`${(last = owned)}\n`);
}, 20);

process.once('SIGTERM', () => {
  clearInterval(report);
  void (async () => {
    await partitions.close();
    await router.detach();
    await bus.close();
    await link.close();
    await pool.end();
    process.stdout.write('closed\n');
    process.exit(0);
  })();
});
