// The Slack side of the e2e tests: a fake Slack Web API, the settings that point the real app at it
// (one workspace, signed requests to /slack/events), and a driver that sends signed slash commands
// and button presses and returns what reached the fake meanwhile. `startSlackWorld` runs the real app
// with Slack alone; test/fakes/both-world.ts runs it with Teams too.
import type { App } from '../../src/bot/app.ts';
import type { SimulatedClock } from '../../src/bot/clock.ts';
import { FakeSlack, type SlackCall } from './slack-api.ts';
import { SLACK_CHANNEL, SlackPayloads, SlackSigner, type SlackPerson } from './slack-requests.ts';
import { launchApp } from './world.ts';

export const SECRET = 'test-signing-secret-0123456789';
export const TEAM = 'T0001';
export const BOT_TOKEN = 'xoxb-1-northside';
export const BOT_USER = 'U0BOT';

export const person = (name: string): SlackPerson => ({ id: `U0${name.toUpperCase()}`, name });

export interface SlackChannel {
  id: string;
  name: string;
}

/** Where a button is pressed: a channel or DM (default the partnership's channel), or the Home tab. */
export interface PressWhere {
  channel?: string | null;
  home?: boolean;
}

export interface SlackSide {
  fake: FakeSlack;
  slack: SlackSigner;
  payloads: SlackPayloads;
  /** A signed slash command; waits until it is answered somewhere and the outbox is flushed. */
  command(p: SlackPerson, text: string, channel?: SlackChannel): Promise<SlackCall[]>;
  /** A signed button press; waits for its answer (or the Home tab's refresh) and the outbox. */
  press(p: SlackPerson, actionId: string, value: string, where?: PressWhere): Promise<SlackCall[]>;
}

export interface SlackWorld extends SlackSide {
  app: App;
  clock: SimulatedClock;
  stop(): Promise<void>;
}

export interface WorldOptions {
  databaseUrl?: string;
  /** Prepares the fake before the app starts (e.g. the Socket Mode URL). */
  beforeStart?: (fake: FakeSlack) => void;
}

/** A fake Slack Web API that knows the one workspace's bot token. */
export async function startFakeSlack(beforeStart?: (fake: FakeSlack) => void): Promise<FakeSlack> {
  const fake = await new FakeSlack().start();
  fake.tokens.set(BOT_TOKEN, { teamId: TEAM, botUserId: BOT_USER });
  beforeStart?.(fake);
  return fake;
}

/** The environment that turns Slack on against the fake (one workspace, over HTTP). */
export function slackEnv(fake: FakeSlack): Record<string, string> {
  return { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_API_URL: fake.apiUrl };
}

/** The driver of a running app's Slack side. */
export function slackSide(app: App, fake: FakeSlack): SlackSide {
  const slack = new SlackSigner(app.url, SECRET);
  const payloads = new SlackPayloads(TEAM, (id) => fake.responseUrl(id));

  async function settle(from: number, until: () => boolean, what: string): Promise<SlackCall[]> {
    await fake.waitFor(until, what);
    await fake.quiet();
    await app.core.flush();
    return fake.since(from);
  }

  return {
    fake,
    slack,
    payloads,
    async command(p, text, channel = SLACK_CHANNEL) {
      const from = fake.mark();
      const req = payloads.command(p, text, channel);
      const res = await slack.post(req);
      if (res.status !== 200) throw new Error(`/slack/events answered ${res.status} to "${text}": ${res.text}`);
      const answered = () =>
        fake.since(from).some((c) => (c.method === 'response_url' && c.args.response_id === req.responseId) || c.method === 'chat.postMessage' || (c.method === 'chat.postEphemeral' && c.args.user === p.id) || c.method === 'views.open');
      return settle(from, answered, `a reply to "${text}"`);
    },
    async press(p, actionId, value, where = {}) {
      const from = fake.mark();
      const req = payloads.action(p, actionId, value, where);
      const res = await slack.post(req);
      if (res.status !== 200) throw new Error(`/slack/events answered ${res.status} to a press of ${actionId}: ${res.text}`);
      const answered = () => fake.since(from).some((c) => c.args.response_id === req.responseId || (where.home === true && c.method === 'views.publish'));
      return settle(from, answered, `an answer to ${actionId}`);
    },
  };
}

export async function startSlackWorld(env: Record<string, string> = {}, opts: WorldOptions = {}): Promise<SlackWorld> {
  const fake = await startFakeSlack(opts.beforeStart);
  try {
    const launched = await launchApp({ ...slackEnv(fake), ...env }, { databaseUrl: opts.databaseUrl, logLevel: process.env.SLACK_TEST_LOG });
    return {
      ...slackSide(launched.app, fake),
      app: launched.app,
      clock: launched.clock,
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
