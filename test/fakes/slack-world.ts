// Starts the real app with Slack configured against a fake Slack Web API, for the Slack e2e tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startApp, type App } from '../../src/bot/app.ts';
import { SimulatedClock } from '../../src/bot/clock.ts';
import { loadConfig } from '../../src/bot/config.ts';
import { FakeSlack } from './slack-api.ts';
import { SlackPayloads, SlackSigner, type SlackPerson } from './slack-requests.ts';

export const SECRET = 'test-signing-secret-0123456789';
export const TEAM = 'T0001';
export const BOT_TOKEN = 'xoxb-1-northside';
export const BOT_USER = 'U0BOT';

export const person = (name: string): SlackPerson => ({ id: `U0${name.toUpperCase()}`, name });

export interface SlackWorld {
  app: App;
  fake: FakeSlack;
  slack: SlackSigner;
  payloads: SlackPayloads;
  clock: SimulatedClock;
  stop(): Promise<void>;
}

export interface WorldOptions {
  databaseUrl?: string;
  /** Prepares the fake before the app starts (e.g. the Socket Mode URL). */
  beforeStart?: (fake: FakeSlack) => void;
}

export async function startSlackWorld(env: Record<string, string> = {}, opts: WorldOptions = {}): Promise<SlackWorld> {
  const fake = await new FakeSlack().start();
  fake.tokens.set(BOT_TOKEN, { teamId: TEAM, botUserId: BOT_USER });
  opts.beforeStart?.(fake);
  const dir = mkdtempSync(join(tmpdir(), 'partnerbot-slack-'));
  const clock = new SimulatedClock();
  const config = loadConfig({
    DATABASE_URL: opts.databaseUrl ?? join(dir, 'bot.sqlite'),
    PORT: '0',
    SCHEDULER: 'false',
    LOG_LEVEL: 'silent',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_API_URL: fake.apiUrl,
    ...env,
  });
  const app = await startApp(config, { log: pino({ level: process.env.SLACK_TEST_LOG ?? 'silent' }), clock });
  return {
    app,
    fake,
    clock,
    slack: new SlackSigner(app.url, SECRET),
    payloads: new SlackPayloads(TEAM, (id) => fake.responseUrl(id)),
    async stop() {
      await app.stop();
      await fake.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
