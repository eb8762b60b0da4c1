/** Child process for crash.test.ts: exports a deterministic log of N events to HEC and TCP syslog until killed. */
import { createExporter } from '../../src/export/index.js';
import { MemoryReader, sampleEvents } from './helpers.js';

const [dataDir, hecUrl, tcpPort, total] = process.argv.slice(2);
const reader = new MemoryReader();
reader.append(sampleEvents(0, Number(total)));
const exporter = await createExporter({
  reader,
  dataDir: dataDir!,
  env: { HEC_TOKEN: 'crash-token' },
  config: {
    pollIntervalMs: 50,
    sinks: [
      { name: 'hec', type: 'hec', format: 'ocsf', hec: { url: hecUrl!, token: 'env:HEC_TOKEN' }, batch: { maxRecords: 20 } },
      { name: 'tcp', type: 'syslog', format: 'cef', syslog: { host: '127.0.0.1', port: Number(tcpPort), protocol: 'tcp', settleMs: 100 }, batch: { maxRecords: 20 } },
    ],
  },
});
exporter.start();
process.stdout.write('started\n');
setInterval(() => undefined, 1000);
