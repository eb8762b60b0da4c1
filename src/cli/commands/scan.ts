/** `warden scan PATH`: unsafe-model scan for CI; exit code by the worst verdict. */
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError, writeLine, type Command } from '../command.js';
import { exitCodeFor, scanPath, worstVerdict } from '../../integrity/index.js';
import { json } from '../integrity-context.js';

export const scanCommand: Command = {
  name: 'scan',
  summary: 'scan model files for code-execution risks (pickle, PyTorch, joblib, safetensors, Keras, ONNX)',
  usage: `usage: warden scan PATH [--json]

Parses (never loads) every model file under PATH. Exit code: 0 safe, 3 suspicious, 4 dangerous
(1 the scan failed, 2 usage error).`,
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
    if (positionals.length !== 1) throw new UsageError('give one PATH');
    const path = resolve(io.cwd, positionals[0] as string);
    if (!existsSync(path)) {
      writeLine(io.stderr, `warden scan: \`${path}\` does not exist`);
      return 1;
    }
    const reports = scanPath(path);
    const verdict = worstVerdict(reports);
    if (values.json) json(io, { verdict, files: reports });
    else {
      for (const r of reports) {
        writeLine(io.stdout, `${r.verdict.padEnd(10)} ${r.path} (${r.format})`);
        for (const f of r.findings) if (f.verdict !== 'safe') writeLine(io.stdout, `    ${f.verdict}: ${f.member ? `[${f.member}] ` : ''}${f.message}`);
      }
      writeLine(io.stdout, `${reports.length} file(s) scanned; verdict ${verdict}`);
    }
    return exitCodeFor(verdict);
  },
};
