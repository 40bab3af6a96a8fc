// Installing into a workspace with Bolt's OAuth flow against the fake (oauth.v2.access), the
// installation kept in partnerbot's database (SQLite, and PostgreSQL when it answers), and then a
// request from that workspace works with the installed bot token.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackInstallations } from '../../db/slack-installations.ts';
import type { SqlStore } from '../../db/store.ts';
import { TEST_DATABASE_URL, postgresAnswers } from '../../db/testing.ts';
import { BOT_SCOPES } from '../../src/adapters/slack/surface.ts';
import { callText } from '../fakes/slack-blocks.ts';
import { SlackPayloads } from '../fakes/slack-requests.ts';
import { person, startSlackWorld, type SlackWorld } from '../fakes/slack-world.ts';

const OAUTH_ENV = {
  SLACK_BOT_TOKEN: '',
  SLACK_CLIENT_ID: '1111.2222',
  SLACK_CLIENT_SECRET: 'client-secret-for-tests',
  SLACK_STATE_SECRET: 'state-secret-for-tests-0123',
};
const INSTALLED_TOKEN = 'xoxb-9-riverside';

const CI = process.env.CI === 'true';
const postgresUp = await postgresAnswers();

interface Dialect {
  name: string;
  /** A DATABASE_URL and extra env, plus cleanup. */
  open(): Promise<{ url?: string; env: Record<string, string>; dispose(): Promise<void> }>;
}

const dialects: Dialect[] = [
  { name: 'sqlite', open: async () => ({ env: {}, dispose: async () => undefined }) },
  ...(postgresUp || CI
    ? [
        {
          name: 'postgres',
          async open() {
            // A schema of its own, chosen through the connection's search_path.
            const schema = `slack_oauth_${process.pid}_${randomBytes(3).toString('hex')}`;
            const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
            await admin.connect();
            await admin.query(`create schema "${schema}"`);
            const url = new URL(TEST_DATABASE_URL);
            url.searchParams.set('options', `-c search_path=${schema}`);
            return {
              url: url.toString(),
              env: { PARTNERBOT_SECRET: 'a-shared-secret-for-postgres-tests' },
              async dispose() {
                await admin.query(`drop schema if exists "${schema}" cascade`);
                await admin.end();
              },
            };
          },
        },
      ]
    : []),
];

describe.each(dialects)('Slack OAuth install on $name', (dialect) => {
  let w: SlackWorld;
  let db: Awaited<ReturnType<Dialect['open']>>;

  beforeAll(async () => {
    db = await dialect.open();
    w = await startSlackWorld({ ...OAUTH_ENV, ...db.env }, db.url ? { databaseUrl: db.url } : {});
    w.fake.tokens.set(INSTALLED_TOKEN, { teamId: 'T0RIVER', botUserId: 'U0RIVERBOT' });
    w.fake.oauthAccess = {
      ok: true,
      app_id: 'A0PARTNER',
      authed_user: { id: 'U0ANN' },
      scope: BOT_SCOPES.join(','),
      token_type: 'bot',
      access_token: INSTALLED_TOKEN,
      bot_user_id: 'U0RIVERBOT',
      team: { id: 'T0RIVER', name: 'Riverside' },
      enterprise: null,
      is_enterprise_install: false,
    };
  });

  afterAll(async () => {
    await w?.stop();
    await db?.dispose();
  });

  it('installs through /slack/install and /slack/oauth_redirect and keeps the installation in the database', async () => {
    const install = await fetch(`${w.app.url}/slack/install`, { redirect: 'manual' });
    expect(install.status).toBe(200);
    const page = await install.text();
    expect(page).toContain('https://slack.com/oauth/v2/authorize');
    expect(page).toContain(`client_id=${OAUTH_ENV.SLACK_CLIENT_ID}`);
    const cookie = install.headers.get('set-cookie') ?? '';
    const state = /slack-app-oauth-state=([^;]+)/.exec(cookie)?.[1];
    expect(state).toBeTruthy();
    expect(decodeURIComponent(/scope=([^&"]+)/.exec(page)![1]!).split(',').sort()).toEqual(BOT_SCOPES);

    const redirect = await fetch(`${w.app.url}/slack/oauth_redirect?code=code-123&state=${state}`, {
      headers: { cookie: `slack-app-oauth-state=${state}` },
      redirect: 'manual',
    });
    expect(redirect.status).toBeLessThan(400);
    const access = w.fake.calls.find((c) => c.method === 'oauth.v2.access')!;
    expect(access.args).toMatchObject({ code: 'code-123', client_id: OAUTH_ENV.SLACK_CLIENT_ID });

    const stored = await new SlackInstallations((w.app.deps.store as SqlStore).db).byWorkspace('T0RIVER');
    expect(stored?.bot?.token).toBe(INSTALLED_TOKEN);
    expect(stored?.bot?.userId).toBe('U0RIVERBOT');
  });

  it('refuses a callback whose state is not this browser’s, and stores nothing', async () => {
    const before = w.fake.calls.filter((c) => c.method === 'oauth.v2.access').length;
    const res = await fetch(`${w.app.url}/slack/oauth_redirect?code=code-999&state=forged`, { headers: { cookie: 'slack-app-oauth-state=other' } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(w.fake.calls.filter((c) => c.method === 'oauth.v2.access').length).toBe(before);
  });

  it('serves the installed workspace with its own token, and ignores one that is not installed', async () => {
    const river = new SlackPayloads('T0RIVER', (id) => w.fake.responseUrl(id));
    const from = w.fake.mark();
    const res = await w.slack.post(river.command(person('ann'), 'setup "Riverside Partnership"', { id: 'C0RIVER', name: 'riverside' }));
    expect(res.status).toBe(200);
    await w.fake.waitFor((calls) => calls.some((c) => c.seq > from && c.method === 'chat.postMessage'), 'the setup reply');
    await w.fake.quiet();
    const posted = w.fake.since(from, 'chat.postMessage')[0]!;
    expect(posted.token).toBe(INSTALLED_TOKEN);
    expect(posted.args.channel).toBe('C0RIVER');
    expect(callText(posted)).toMatch(/Riverside Partnership is set up/);

    const stranger = new SlackPayloads('T0STRANGER', (id) => w.fake.responseUrl(id));
    const mark = w.fake.mark();
    await w.slack.post(stranger.command(person('eve'), 'help', { id: 'C0EVE', name: 'eve' }));
    await w.fake.quiet(150);
    expect(w.fake.since(mark)).toEqual([]);
  });
});
