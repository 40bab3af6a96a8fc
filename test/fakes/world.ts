// The real app for the e2e tests, started the way the platform worlds share: a temp SQLite file,
// PORT 0, no scheduler of its own (tests call app.core.tick), and a simulated clock passed in.
// test/fakes/slack-world.ts, teams-world.ts and both-world.ts add the platform fakes around it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startApp, type App } from '../../src/bot/app.ts';
import { SimulatedClock } from '../../src/bot/clock.ts';
import { loadConfig } from '../../src/bot/config.ts';

export interface LaunchOptions {
  /** Where the simulated clock starts (default: the real time). */
  start?: Date;
  /** Default: a SQLite file in a temp directory removed on stop. */
  databaseUrl?: string;
  /** A log level from the environment for debugging, e.g. SLACK_TEST_LOG=debug. */
  logLevel?: string;
}

export interface Launched {
  app: App;
  clock: SimulatedClock;
  /** Stops the app and removes its temp directory. */
  stop(): Promise<void>;
}

export async function launchApp(env: Record<string, string>, opts: LaunchOptions = {}): Promise<Launched> {
  const dir = mkdtempSync(join(tmpdir(), 'partnerbot-e2e-'));
  const clock = new SimulatedClock();
  if (opts.start) clock.set(opts.start);
  try {
    const config = loadConfig({
      DATABASE_URL: opts.databaseUrl ?? join(dir, 'bot.sqlite'),
      PORT: '0',
      SCHEDULER: 'false',
      LOG_LEVEL: 'silent',
      ...env,
    });
    const app = await startApp(config, { log: pino({ level: opts.logLevel ?? process.env.TEST_LOG ?? 'silent' }), clock });
    return {
      app,
      clock,
      async stop() {
        await app.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
