// The Teams side of the e2e tests: a fake Bot Connector on loopback, the settings that turn Teams on
// with authentication off (as for the Emulator), and a driver where each exchange posts one activity
// and returns what the bot sent meanwhile, after the outbox has been flushed. `startTeamsWorld` runs
// the real app with Teams alone; test/fakes/both-world.ts runs it with Slack too.
import type { App } from '../../src/bot/app.ts';
import type { SimulatedClock } from '../../src/bot/clock.ts';
import { FakeBotConnector, type ConnectorCall } from './bot-connector.ts';
import { executeInvoke, submitMessage, TeamsClient, textMessage, type TeamsPerson, type Where } from './teams-activities.ts';
import { launchApp } from './world.ts';

export interface Exchange {
  /** The bot's HTTP answer (an invoke's response; empty for other activities). */
  body: any;
  /** Every call the fake connector received meanwhile. */
  calls: ConnectorCall[];
}

export interface TeamsSide {
  fake: FakeBotConnector;
  client: TeamsClient;
  /** Sends an activity, waits for the outbox, and returns what the bot sent meanwhile. */
  exchange(activity: unknown): Promise<Exchange>;
  /** A typed message (in a channel, start it with `<at>partnerbot</at>`). */
  say(p: TeamsPerson, where: Where, text: string): Promise<Exchange>;
  /** An Action.Execute press (an `adaptiveCard/action` invoke). */
  execute(p: TeamsPerson, where: Where, data: Record<string, unknown>): Promise<Exchange>;
  /** An Action.Submit press, as older clients send it. */
  submit(p: TeamsPerson, where: Where, data: Record<string, unknown>): Promise<Exchange>;
}

export interface TeamsWorld extends TeamsSide {
  app: App;
  clock: SimulatedClock;
  /** Runs the scheduler at `now` (the clock moves there) and flushes the outbox; returns what was sent. */
  tick(now: string): Promise<ConnectorCall[]>;
  stop(): Promise<void>;
}

/** Teams on with no app id: authentication off, allowed because the app listens on loopback. */
export const TEAMS_ENV: Record<string, string> = { TEAMS_ENABLED: 'true' };

/** The driver of a running app's Teams side. */
export function teamsSide(app: App, fake: FakeBotConnector): TeamsSide {
  const client = new TeamsClient(app.url);
  async function exchange(activity: unknown): Promise<Exchange> {
    const mark = fake.mark();
    const body = await client.ok(activity);
    await app.core.flush();
    return { body, calls: fake.since(mark) };
  }
  return {
    fake,
    client,
    exchange,
    say: (p, where, text) => exchange(textMessage(p, where, text, fake.url)),
    execute: (p, where, data) => exchange(executeInvoke(p, where, data, fake.url)),
    submit: (p, where, data) => exchange(submitMessage(p, where, data, fake.url)),
  };
}

export async function startTeamsWorld(start: Date): Promise<TeamsWorld> {
  const fake = await new FakeBotConnector().start();
  try {
    const launched = await launchApp(TEAMS_ENV, { start, logLevel: process.env.TEAMS_TEST_LOG });
    const { app } = launched;
    return {
      ...teamsSide(app, fake),
      app,
      clock: launched.clock,
      async tick(now) {
        const mark = fake.mark();
        await app.core.tick(new Date(now));
        return fake.since(mark);
      },
      async stop() {
        await launched.stop();
        await fake.stop();
      },
    };
  } catch (err) {
    await fake.stop();
    throw err;
  }
}
