// The bot's process (`npm start` runs it through scripts/start.js): config -> app -> (REPL) -> clean
// stop on SIGINT/SIGTERM.
import { startRepl } from '../adapters/local/repl.ts';
import { startApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { reliabilityFromEnv } from './reliability.ts';
import { createLogger } from './logger.ts';
import { requestMixin } from './server.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel, mixin: requestMixin });
  const app = await startApp(config, { log, reliability: reliabilityFromEnv(process.env) });
  // Which code this is: the build `npm start` prefers (scripts/start.js), or the TypeScript through tsx.
  const code = import.meta.url.endsWith('.ts') ? 'typescript' : 'build';
  log.info({ url: app.url, code }, `partnerbot is running at ${app.url}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    // A second signal while stopping changes nothing: the bounded stop below still ends the process.
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    const timer = setTimeout(() => {
      log.error('did not stop within 10 s; exiting');
      process.exit(1);
    }, 10_000);
    timer.unref();
    try {
      await app.stop();
    } catch (err) {
      log.error({ err }, 'stop failed');
      process.exit(1);
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const wantRepl = config.repl ?? Boolean(process.stdin.isTTY);
  if (wantRepl && app.inbox) {
    // Routine info lines would interleave with the console's prompt; warnings and errors still show.
    if (!process.env.LOG_LEVEL) log.level = 'warn';
    startRepl(app.core, app.inbox, { input: process.stdin, output: process.stdout, log, onClose: () => void shutdown('console closed') });
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`partnerbot: ${err.message}\n`);
  } else {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`partnerbot could not start: ${message}\n`);
  }
  process.exit(1);
});
