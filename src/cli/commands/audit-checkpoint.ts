/**
 * `warden audit checkpoint`: prints the latest signed checkpoint (C2SP signed note), or the one at --size,
 * of audit.db or, with WARDEN_DATABASE_URL, of the cluster's log.
 */
import { UsageError, type Command } from '../command.js';
import { parse } from '../options.js';
import { auditContext, intFlag, openStoredLog } from './audit-common.js';

export const auditCheckpointCommand: Command = {
  name: 'audit checkpoint',
  summary: 'print the latest signed checkpoint of the audit log',
  usage: 'usage: warden audit checkpoint [--size N] [--data-dir D] [--config FILE]',
  async run(args, io) {
    const { values } = parse(args, { size: { type: 'string' } });
    const ctx = auditContext(values, io);
    const size = intFlag(values.size, '--size');
    const view = await openStoredLog(ctx, io);
    try {
      const notes = await view.checkpointNotes(size ?? 0, size === undefined ? 1_000_000 : 1);
      const note = size === undefined ? notes.at(-1) : notes.find((n) => n.size === size);
      if (!note) throw new UsageError(size === undefined ? 'the log has no checkpoint yet' : `no checkpoint at size ${size}`);
      io.stdout.write(note.note);
      return 0;
    } finally {
      await view.close();
    }
  },
};
