/** `warden audit export`: writes a segment of the log with its checkpoints, for `audit verify --offline`. */
import { openSync, writeSync, closeSync } from 'node:fs';
import { resolve } from 'node:path';
import { verifierKeyFromFile, writeExport } from '../../audit/index.js';
import { writeLine, type Command } from '../command.js';
import { parse } from '../options.js';
import { auditContext, intFlag, openStoredLog, signingKeyPath } from './audit-common.js';
export const auditExportCommand: Command = {
  name: 'audit export',
  summary: 'export a segment of the audit log with its signed checkpoints',
  usage: [
    'usage: warden audit export [--from N] [--to N] [--out FILE] [--data-dir D] [--config FILE]',
    '',
    'Writes entries [from, to) and the checkpoints that cover them; `to` defaults to (and is capped at)',
    'the latest checkpoint. Without --out the export goes to stdout. Check it with',
    '`warden audit verify --offline FILE --key PUBFILE`. With WARDEN_DATABASE_URL, exports the cluster\'s log.',
  ].join('\n'),
  async run(args, io) {
    const { values } = parse(args, { from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } });
    const ctx = auditContext(values, io);
    const from = intFlag(values.from, '--from');
    const to = intFlag(values.to, '--to');
    const view = await openStoredLog(ctx, io);
    const fd = values.out ? openSync(resolve(io.cwd, values.out), 'w', 0o644) : undefined;
    try {
      const header = await writeExport(
        view,
        { origin: ctx.audit.origin, verifierKey: verifierKeyFromFile(signingKeyPath(ctx), ctx.audit.origin) },
        { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) },
        fd === undefined ? (line) => io.stdout.write(line) : (line) => void writeSync(fd, line),
      );
      if (fd !== undefined) writeLine(io.stderr, `exported entries ${header.from}..${header.to - 1} with ${header.checkpoints.length} checkpoints to ${values.out}`);
      return 0;
    } finally {
      if (fd !== undefined) closeSync(fd);
      await view.close();
    }
  },
};
