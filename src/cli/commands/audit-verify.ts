/**
 * `warden audit verify`: recomputes the log's tree from storage and checks every checkpoint; with
 * `--offline FILE --key PUB`, checks an export with only the public key. Exit 0 when intact, 1 when not.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { signingKeyVerifier, verifyAuditLog, verifyClusterAuditLogAt, verifyExport, type VerifyProblem } from '../../audit/index.js';
import { clusterDatabaseUrl } from '../../cluster/index.js';
import { UsageError, writeLine, type Command } from '../command.js';
import { parse } from '../options.js';
import { auditContext, intFlag, verifierFromFile } from './audit-common.js';

function printProblems(problems: VerifyProblem[], write: (l: string) => void): void {
  for (const p of problems) write(`TAMPERED ${p.kind} at position ${p.position}${p.through !== undefined && p.through !== p.position ? `..${p.through}` : ''}: ${p.message}`);
}

export const auditVerifyCommand: Command = {
  name: 'audit verify',
  summary: 'verify the audit log (or an export, offline) and name any tampering',
  usage: [
    'usage: warden audit verify [--data-dir D] [--config FILE] [--key PUBFILE] [--workers N] [--json]',
    '       warden audit verify --offline EXPORT --key PUBFILE [--origin NAME] [--json]',
    '',
    'Recomputes every leaf hash and the Merkle tree from audit.db and checks each signed checkpoint;',
    'prints one line per problem with its position. --key: the verifier key (`warden audit key`) or a PEM',
    'public key; default: derived from the data dir\'s signing key. --workers: threads (default: CPU count for',
    'logs over 100,000 entries). With WARDEN_DATABASE_URL, verifies the cluster\'s log in PostgreSQL instead',
    '(and that no event is in it twice). Exit 0 intact, 1 tampered, 2 usage.',
  ].join('\n'),
  async run(args, io) {
    const { values } = parse(args, { offline: { type: 'string' }, key: { type: 'string' }, origin: { type: 'string' }, json: { type: 'boolean' }, workers: { type: 'string' } });
    const ctx = auditContext(values, io);
    const origin = values.origin ?? ctx.audit.origin;
    const out = (l: string): void => writeLine(io.stdout, l);
    if (values.offline) {
      if (!values.key) throw new UsageError('--offline needs --key (the log\'s public key)');
      const verifier = verifierFromFile(values.key, io, origin);
      const report = verifyExport(readFileSync(resolve(io.cwd, values.offline), 'utf8'), verifier);
      if (values.json) out(JSON.stringify(report));
      else {
        printProblems(report.problems, out);
        out(`${report.ok ? 'OK' : 'FAILED'}: entries ${report.from}..${report.to - 1} (${report.entries}), ${report.checkpointsVerified} checkpoints verified, ${report.problems.length} problems`);
      }
      return report.ok ? 0 : 1;
    }
    const clusterUrl = clusterDatabaseUrl(io.env);
    const keyOptions = { dataDir: ctx.dataDir, origin, signingKeyFile: ctx.audit.signingKeyFile };
    const report = clusterUrl
      ? await verifyClusterAuditLogAt(clusterUrl, values.key ? verifierFromFile(values.key, io, origin) : signingKeyVerifier(keyOptions))
      : await verifyAuditLog({
          ...keyOptions,
          ...(values.workers !== undefined ? { workers: intFlag(values.workers, '--workers')! } : {}),
          ...(values.key ? { verifier: verifierFromFile(values.key, io, origin) } : {}),
        });
    if (values.json) out(JSON.stringify(report));
    else {
      printProblems(report.problems, out);
      if (report.problemsOmitted) out(`... and ${report.problemsOmitted} more problems`);
      out(
        `${report.ok ? 'OK' : 'FAILED'}: ${report.entries} entries, ${report.checkpointsVerified} checkpoints verified (latest at ${report.latestCheckpointSize}), ` +
          `${report.uncoveredEntries} entries after the latest checkpoint, ${report.problems.length + report.problemsOmitted} problems, ` +
          `${report.seconds.toFixed(2)} s (${Math.round(report.entries / Math.max(report.seconds, 1e-6))} entries/s, ${report.workers || 1} thread${report.workers > 1 ? 's' : ''})`,
      );
    }
    return report.ok ? 0 : 1;
  },
};
