import { writeLine, type Command } from '../command.js';
import { resolveConfigPath, assertReferences } from '../../config/index.js';
import { ConfigError } from '../../core/index.js';
import { configFor, parse } from '../options.js';
import { BundleError, compileBundle, demoPolicyDir, formatProblems, readBundle } from '../../policy/index.js';

export const configCheckCommand: Command = {
  name: 'config check',
  summary: 'validate the configuration and the policies it names',
  usage: 'usage: warden config check [--config FILE] [--data-dir D]',
  async run(args, io) {
    const { values } = parse(args, {});
    try {
      const loaded = configFor(values, io);
      assertReferences(loaded, io.env);
      const { policy } = loaded.config;
      const bundle = readBundle(
        policy.dir ? resolveConfigPath(loaded, policy.dir) : demoPolicyDir(),
        policy.schemaFile ? resolveConfigPath(loaded, policy.schemaFile) : '',
        policy.entitiesFile ? resolveConfigPath(loaded, policy.entitiesFile) : '',
      );
      compileBundle(bundle);
      writeLine(io.stdout, `configuration ok (${loaded.file ?? 'embedded demo'}); ${Object.keys(bundle.files).length} policy files valid`);
      return 0;
    } catch (error) {
      if (error instanceof ConfigError) writeLine(io.stderr, error.message);
      else if (error instanceof BundleError) writeLine(io.stderr, `${error.message}\n${formatProblems(error.problems)}`);
      else throw error;
      return 1;
    }
  },
};
