// One real app with Slack (one workspace, against the fake Slack Web API) and Teams (authentication
// off, against the fake Bot Connector) both on, for a partnership that lives on both platforms.
import type { App } from '../../src/bot/app.ts';
import type { SimulatedClock } from '../../src/bot/clock.ts';
import { FakeBotConnector, type ConnectorCall } from './bot-connector.ts';
import type { SlackCall } from './slack-api.ts';
import { slackEnv, slackSide, startFakeSlack, type SlackSide } from './slack-world.ts';
import { TEAMS_ENV, teamsSide, type TeamsSide } from './teams-world.ts';
import { launchApp } from './world.ts';

export interface BothWorld {
  app: App;
  clock: SimulatedClock;
  slack: SlackSide;
  teams: TeamsSide;
  /** Runs the scheduler at `now` (the clock moves there), flushes the outbox, and returns what each platform was sent. */
  tick(now: string): Promise<{ slack: SlackCall[]; teams: ConnectorCall[] }>;
  stop(): Promise<void>;
}

export async function startBothWorld(start: Date): Promise<BothWorld> {
  const slackFake = await startFakeSlack();
  const connector = await new FakeBotConnector().start();
  try {
    const launched = await launchApp({ ...slackEnv(slackFake), ...TEAMS_ENV }, { start });
    const { app } = launched;
    return {
      app,
      clock: launched.clock,
      slack: slackSide(app, slackFake),
      teams: teamsSide(app, connector),
      async tick(now) {
        const s = slackFake.mark();
        const t = connector.mark();
        await app.core.tick(new Date(now));
        return { slack: slackFake.since(s), teams: connector.since(t) };
      },
      async stop() {
        await launched.stop();
        await Promise.all([slackFake.stop(), connector.stop()]);
      },
    };
  } catch (err) {
    await Promise.all([slackFake.stop(), connector.stop()]);
    throw err;
  }
}
