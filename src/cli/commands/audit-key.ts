/** `warden audit key`: exports the log's public key (verifier key line, or PEM with --pem) for verifiers. */
import { publicKeyPemFromFile, verifierKeyFromFile } from '../../audit/index.js';
import { writeLine, type Command } from '../command.js';
import { parse } from '../options.js';
import { auditContext, signingKeyPath } from './audit-common.js';

export const auditKeyCommand: Command = {
  name: 'audit key',
  summary: 'print the audit log\'s public key for verifiers',
  usage: [
    'usage: warden audit key [--pem] [--data-dir D] [--config FILE]',
    '',
    'Prints the C2SP note verifier key (`origin+keyid+base64`), or the SPKI PEM public key with --pem.',
  ].join('\n'),
  async run(args, io) {
    const { values } = parse(args, { pem: { type: 'boolean' } });
    const ctx = auditContext(values, io);
    const path = signingKeyPath(ctx);
    if (values.pem) io.stdout.write(publicKeyPemFromFile(path));
    else writeLine(io.stdout, verifierKeyFromFile(path, ctx.audit.origin));
    return 0;
  },
};
