// `npm start`: config -> app -> (REPL) -> clean stop on SIGINT/SIGTERM.
import pino from 'pino';
import { startRepl } from '../adapters/local/repl.ts';
import { startApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = pino({ level: config.logLevel, base: { app: 'partnerbot' } });
  const app = await startApp(config, { log });
  log.info({ url: app.url }, `partnerbot is running at ${app.url}`);

  const shutdown = async (signal: string) => {
    log.info({ signal }, 'stopping');
    const timer = setTimeout(() => {
      log.error('did not stop within 10 s; exiting');
      process.exit(1);
    }, 10_000);
    timer.unref();
    await app.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

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
