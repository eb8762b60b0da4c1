import { startDemoUpstream } from '../../demo/index.js';
import { UsageError, writeLine, type Command } from '../command.js';
import { parseArgs } from 'node:util';

export const demoUpstreamCommand: Command = {
  name: 'demo-upstream',
  summary: 'run the built-in OpenAI-compatible demo upstream on its own (benchmarks, tests)',
  usage: 'usage: warden demo-upstream [--port P] [--api-key KEY] [--chunk-delay-ms N]',
  async run(args, io) {
    const { values } = parseArgs({ args, options: { port: { type: 'string' }, 'api-key': { type: 'string' }, 'chunk-delay-ms': { type: 'string' } }, strict: true });
    const port = Number(values.port ?? 0);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port: expected an integer from 0 to 65535');
    const upstream = await startDemoUpstream({ port, ...(values['api-key'] ? { apiKey: values['api-key'] } : {}), chunkDelayMs: Number(values['chunk-delay-ms'] ?? 0) });
    writeLine(io.stdout, `demo upstream listening at ${upstream.url}`);
    process.once('SIGTERM', () => void upstream.close().then(() => process.exit(0)));
    process.once('SIGINT', () => void upstream.close().then(() => process.exit(0)));
    return 0;
  },
};
