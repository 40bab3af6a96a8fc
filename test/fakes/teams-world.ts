// Starts the real app with Teams on (authentication off, as for the Emulator) against a fake Bot
// Connector on loopback, for the Teams e2e tests; each exchange posts one activity and returns what
// the bot sent meanwhile, after the outbox has been flushed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startApp, type App } from '../../src/bot/app.ts';
import { SimulatedClock } from '../../src/bot/clock.ts';
import { loadConfig } from '../../src/bot/config.ts';
import { FakeBotConnector, type ConnectorCall } from './bot-connector.ts';
import { executeInvoke, submitMessage, TeamsClient, textMessage, type TeamsPerson, type Where } from './teams-activities.ts';

export interface Exchange {
  /** The bot's HTTP answer (an invoke's response; empty for other activities). */
  body: any;
  /** Every call the fake connector received meanwhile. */
  calls: ConnectorCall[];
}

export interface TeamsWorld {
  app: App;
  fake: FakeBotConnector;
  client: TeamsClient;
  clock: SimulatedClock;
  /** Sends an activity, waits for the outbox, and returns what the bot sent meanwhile. */
  exchange(activity: unknown): Promise<Exchange>;
  /** A typed message (in a channel, start it with `<at>partnerbot</at>`). */
  say(p: TeamsPerson, where: Where, text: string): Promise<Exchange>;
  /** An Action.Execute press (an `adaptiveCard/action` invoke). */
  execute(p: TeamsPerson, where: Where, data: Record<string, unknown>): Promise<Exchange>;
  /** An Action.Submit press, as older clients send it. */
  submit(p: TeamsPerson, where: Where, data: Record<string, unknown>): Promise<Exchange>;
  /** Runs the scheduler at `now` (the clock moves there) and flushes the outbox; returns what was sent. */
  tick(now: string): Promise<ConnectorCall[]>;
  stop(): Promise<void>;
}

export async function startTeamsWorld(start: Date): Promise<TeamsWorld> {
  const fake = await new FakeBotConnector().start();
  const dir = mkdtempSync(join(tmpdir(), 'partnerbot-teams-'));
  const clock = new SimulatedClock();
  clock.set(start);
  const config = loadConfig({ DATABASE_URL: join(dir, 'bot.sqlite'), PORT: '0', SCHEDULER: 'false', LOG_LEVEL: 'silent', TEAMS_ENABLED: 'true' });
  const app = await startApp(config, { log: pino({ level: process.env.TEAMS_TEST_LOG ?? 'silent' }), clock });
  const client = new TeamsClient(app.url);

  async function exchange(activity: unknown): Promise<Exchange> {
    const mark = fake.mark();
    const body = await client.ok(activity);
    await app.core.flush();
    return { body, calls: fake.since(mark) };
  }

  return {
    app,
    fake,
    client,
    clock,
    exchange,
    say: (p, where, text) => exchange(textMessage(p, where, text, fake.url)),
    execute: (p, where, data) => exchange(executeInvoke(p, where, data, fake.url)),
    submit: (p, where, data) => exchange(submitMessage(p, where, data, fake.url)),
    async tick(now) {
      const mark = fake.mark();
      await app.core.tick(new Date(now));
      return fake.since(mark);
    },
    async stop() {
      await app.stop();
      await fake.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
