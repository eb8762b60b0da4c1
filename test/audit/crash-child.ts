/**
 * Child process of the crash test: appends as fast as it can (many appends in flight) and prints each
 * acknowledged (durable) index on stdout, one per line, until it is killed.
 */
import { createAuditLog } from '../../src/audit/index.js';
import { config, sampleEvent } from './helpers.js';

const dataDir = process.argv[2]!;
const log = await createAuditLog({ dataDir, config: config({ checkpoint: { everyEntries: 500 } }) });
let next = log.size();
let acked: number[] = [];
let inFlight = 0;
const flushOut = (): void => {
  if (acked.length) process.stdout.write(acked.join('\n') + '\n');
  acked = [];
};
const pump = (): void => {
  while (inFlight < 4000) {
    const i = next++;
    inFlight++;
    log.append(sampleEvent(i, i % 10 === 0 ? { prompt: `secret ${i}` } : {})).then(
      ({ index }) => {
        inFlight--;
        acked.push(index);
        if (acked.length >= 256) flushOut();
        if (inFlight < 2000) setImmediate(pump);
      },
      (error: unknown) => {
        process.stderr.write(`append failed: ${String(error)}\n`);
        process.exit(3);
      },
    );
  }
};
setInterval(flushOut, 5);
pump();
