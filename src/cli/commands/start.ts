import { WardenApp } from '../../app/index.js';
import { loadConfig, assertReferences } from '../../config/index.js';
import { createLogger } from '../../core/index.js';
import { UsageError, writeLine, type Command } from '../command.js';
import { parse } from '../options.js';
import { startBanner } from '../banner.js';

export const startCommand: Command = {
  name: 'start',
  summary: 'start Warden (embedded demo configuration when no config file is found)',
  usage: `usage: warden start [--port P] [--host H] [--data-dir D] [--config FILE] [--log-level LEVEL] [--allow-remote-demo]

The demo (no config file, or demo API keys) listens only on loopback unless --allow-remote-demo is given.

Precedence: flags > environment (WARDEN_PORT, WARDEN_HOST, WARDEN_DATA_DIR, WARDEN_CONFIG,
WARDEN_LOG_LEVEL) > config file > defaults.`,
  async run(args, io) {
    const { values } = parse(args, { port: { type: 'string' }, host: { type: 'string' }, 'log-level': { type: 'string' }, 'allow-remote-demo': { type: 'boolean' } });
    let port: number | undefined;
    if (values.port !== undefined) {
      port = Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port: expected an integer from 0 to 65535');
    }
    const loaded = loadConfig(
      {
        ...(values.config ? { configFile: values.config } : {}),
        ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
        ...(port !== undefined ? { port } : {}),
        ...(values.host ? { host: values.host } : {}),
        ...(values['log-level'] ? { logLevel: values['log-level'] } : {}),
      },
      io.env,
      io.cwd,
    );
    if (values['allow-remote-demo']) loaded.config.demo.allowNonLoopback = true;
    const logger = createLogger(loaded.config.log.level);
    const app = await WardenApp.start({ loaded, env: io.env, logger });
    writeLine(io.stdout, startBanner(app, loaded.file));
    const stop = (signal: string): void => {
      logger.info({ signal }, 'shutting down');
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    // SIGHUP reloads what can change without a restart (today: the response playbooks); a file that does
    // not validate is refused and the playbooks in force stay.
    process.on('SIGHUP', () => {
      try {
        const reloaded = loadConfig(loaded.file ? { configFile: loaded.file } : {}, io.env, io.cwd);
        assertReferences(reloaded, io.env);
        app.response.setConfig(reloaded.config.response);
        logger.info({ playbooks: reloaded.config.response.playbooks.length }, 'response playbooks reloaded');
      } catch (error) {
        logger.error({ err: error }, 'the configuration could not be reloaded; the playbooks in force stay');
      }
    });
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    return 0;
  },
};
