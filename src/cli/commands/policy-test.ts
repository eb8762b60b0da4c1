/**
 * `warden policy test PATH... [--engine compiled|wasm] [--root DIR]`: runs Cedar-format policy test
 * cases against an engine, prints each failing request, and ends with `N passed, M failed`.
 */
import { parseArgs } from 'node:util';
import { UsageError, writeLine, type CliIO, type Command } from '../command.js';
import { ENGINE_NAMES, type EngineName, CaseLoadError, loadCases, runCases } from '../../policy/index.js';

export const policyTestCommand: Command = {
  name: 'policy test',
  summary: 'run Cedar-format policy test cases against the compiled or the wasm engine',
  usage: [
    'warden policy test PATH... [--engine compiled|wasm] [--root DIR]',
    '',
    'PATH: a case file (Cedar integration-test JSON with a `requests` array) or a directory: every .json',
    'file in it holding a `requests` array is a case, and every cedar-examples use case (policies.cedar,',
    'entities.json, ALLOW/ and DENY/ request folders) is one; other files are ignored.',
    '--engine  the engine to test (default: compiled)',
    '--root    directory that file paths inside cases resolve against (default: the current directory)',
    'Exit code: 0 when every check passed, 1 when any failed or when no check was found, 2 on a usage error.',
  ].join('\n'),
  async run(args: string[], io: CliIO): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        options: { engine: { type: 'string', default: 'compiled' }, root: { type: 'string', default: io.cwd } },
      });
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    const engine = parsed.values.engine as string;
    if (!ENGINE_NAMES.includes(engine as EngineName)) throw new UsageError(`--engine must be one of ${ENGINE_NAMES.join(', ')}`);
    if (parsed.positionals.length === 0) throw new UsageError('give at least one PATH');
    let cases;
    try {
      cases = loadCases(parsed.positionals, parsed.values.root as string, io.cwd);
    } catch (err) {
      if (!(err instanceof CaseLoadError)) throw err;
      writeLine(io.stderr, `error: ${err.message}`);
      writeLine(io.stdout, '0 passed, 1 failed');
      return 1;
    }
    // A run that checked nothing proves nothing: an empty directory or a tree without cases fails.
    if (cases.length === 0) {
      writeLine(io.stderr, `error: found no test cases in ${parsed.positionals.map((p) => `\`${p}\``).join(', ')}`);
      writeLine(io.stdout, '0 passed, 1 failed');
      return 1;
    }
    const report = runCases(cases, engine as EngineName);
    if (report.passed + report.failed === 0) {
      writeLine(io.stderr, 'error: the cases hold no requests and no validation check');
      writeLine(io.stdout, '0 passed, 1 failed');
      return 1;
    }
    for (const f of report.fallbacks) writeLine(io.stderr, `note: ${f.caseName} runs on cedar-wasm: ${f.reason}`);
    for (const f of report.failures) writeLine(io.stdout, `FAIL ${f.caseName} ${f.what}: ${f.message}`);
    writeLine(io.stdout, `${report.passed} passed, ${report.failed} failed`);
    return report.failed > 0 ? 1 : 0;
  },
};
