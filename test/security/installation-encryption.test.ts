// OAuth installation tokens encrypted at rest (PARTNERBOT_ENCRYPTION_KEY), on SQLite and PostgreSQL:
// the stored column never holds the token, a round trip gives the installation back, a record written
// before the key was set stays readable and is sealed on its next save, and a wrong or missing key is
// a clear error (never garbage, never a silent fallback).
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Installation } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstallationKeyError, openInstallation, sealInstallation, SlackInstallations } from '../../db/slack-installations.ts';
import type { TestStore } from '../../db/testing.ts';
import { loadConfig } from '../../src/bot/config.ts';
import { slackConfig } from '../../src/adapters/slack/config.ts';
import { DIALECTS } from './support.ts';

const TOKEN = 'xoxb-1234-5678-SecretBotToken';
const USER_TOKEN = 'xoxp-1234-5678-SecretUserToken';
const KEY = randomBytes(32);
const OTHER_KEY = randomBytes(32);
const NOW = () => new Date('2027-01-04T09:00:00Z');

function install(team: string, token = TOKEN): Installation<'v2', false> {
  return {
    team: { id: team, name: `Team ${team}` },
    enterprise: undefined,
    user: { token: USER_TOKEN, scopes: ['identify'], id: 'U1' },
    bot: { scopes: ['chat:write'], token, userId: 'UBOT', id: 'BBOT' },
    isEnterpriseInstall: false,
    authVersion: 'v2',
    appId: 'A1',
    tokenType: 'bot',
  };
}

const query = (teamId: string) => ({ teamId, enterpriseId: undefined, isEnterpriseInstall: false });

describe.each(DIALECTS)('Slack installations encrypted at rest on $name', ({ open }) => {
  let t: TestStore;

  beforeAll(async () => {
    t = await open();
  });

  afterAll(async () => {
    await t?.dispose();
  });

  const stored = async (workspace: string) =>
    (await sql<{ installation: string }>`select installation from slack_installations where workspace = ${workspace}`.execute(t.store.db)).rows[0]?.installation ?? '';
  const everything = async () => JSON.stringify((await sql`select * from slack_installations`.execute(t.store.db)).rows);

  it('never stores the tokens in the clear, and gives the installation back', async () => {
    const store = new SlackInstallations(t.store.db, NOW, { encryptionKey: KEY });
    await store.storeInstallation(install('T1'));
    const raw = await stored('T1');
    expect(raw).toMatch(/^enc:v1:/);
    expect(raw).not.toContain('xoxb-');
    expect(raw).not.toContain('SecretBotToken');
    expect(await everything()).not.toContain('SecretUserToken');
    expect(await store.botToken('T1')).toBe(TOKEN);
    expect(await store.fetchInstallation(query('T1'))).toEqual(install('T1'));
  });

  it('uses a fresh IV for every save (the same installation never seals to the same text)', async () => {
    const store = new SlackInstallations(t.store.db, NOW, { encryptionKey: KEY });
    await store.storeInstallation(install('T2'));
    const first = await stored('T2');
    await store.storeInstallation(install('T2'));
    expect(await stored('T2')).not.toBe(first);
    expect(await store.botToken('T2')).toBe(TOKEN);
  });

  it('refuses a wrong key, or no key, with a clear error instead of garbage', async () => {
    await new SlackInstallations(t.store.db, NOW, { encryptionKey: KEY }).storeInstallation(install('T3'));
    const wrong = new SlackInstallations(t.store.db, NOW, { encryptionKey: OTHER_KEY });
    await expect(wrong.fetchInstallation(query('T3'))).rejects.toThrow(InstallationKeyError);
    await expect(wrong.botToken('T3')).rejects.toThrow(/PARTNERBOT_ENCRYPTION_KEY is not the key it was saved with/);
    const none = new SlackInstallations(t.store.db, NOW);
    await expect(none.botToken('T3')).rejects.toThrow(/is encrypted: set PARTNERBOT_ENCRYPTION_KEY/);
  });

  it('does not open a sealed record moved to another workspace’s row (the workspace is associated data)', async () => {
    const store = new SlackInstallations(t.store.db, NOW, { encryptionKey: KEY });
    await store.storeInstallation(install('T4'));
    await store.storeInstallation(install('T5', 'xoxb-other-workspace-token'));
    await sql`update slack_installations set installation = ${await stored('T4')} where workspace = 'T5'`.execute(t.store.db);
    await expect(store.botToken('T5')).rejects.toThrow(InstallationKeyError);
    expect(await store.botToken('T4')).toBe(TOKEN);
  });

  it('reads a record saved before the key was set, and seals it on the next save', async () => {
    await new SlackInstallations(t.store.db, NOW).storeInstallation(install('T6'));
    expect(await stored('T6')).toContain(TOKEN); // before: plain JSON, as it always was
    const store = new SlackInstallations(t.store.db, NOW, { encryptionKey: KEY });
    expect(await store.botToken('T6')).toBe(TOKEN);
    await store.storeInstallation(await store.fetchInstallation(query('T6')));
    expect(await stored('T6')).toMatch(/^enc:v1:/);
    expect(await stored('T6')).not.toContain('xoxb-');
    expect(await store.botToken('T6')).toBe(TOKEN);
  });
});

describe('sealing, without a database', () => {
  it('detects any change to the sealed text', () => {
    const sealed = sealInstallation('{"bot":{"token":"xoxb-1"}}', KEY, 'T1');
    expect(openInstallation(sealed, KEY, 'T1')).toBe('{"bot":{"token":"xoxb-1"}}');
    const [head, iv, data, tag] = /^(enc:v1:)([^.]+)\.([^.]+)\.([^.]+)$/.exec(sealed)!.slice(1);
    const flipped = Buffer.from(data!, 'base64url');
    flipped[0]! ^= 1;
    expect(() => openInstallation(`${head}${iv}.${flipped.toString('base64url')}.${tag}`, KEY, 'T1')).toThrow(InstallationKeyError);
    expect(() => openInstallation(`${head}${iv}.${data}`, KEY, 'T1')).toThrow(InstallationKeyError);
    expect(() => openInstallation(sealed, KEY.subarray(0, 16), 'T1')).toThrow(/32 bytes/);
  });
});

describe('PARTNERBOT_ENCRYPTION_KEY in the configuration', () => {
  const SLACK_OAUTH = { SLACK_SIGNING_SECRET: 'a-signing-secret-for-tests', SLACK_CLIENT_ID: '1.2', SLACK_CLIENT_SECRET: 'client-secret', SLACK_STATE_SECRET: 'a-state-secret-of-16+' };

  const oauthKey = (env: Record<string, string>) => {
    const auth = slackConfig(env)?.auth;
    return auth?.kind === 'oauth' ? auth.encryptionKey : 'not oauth';
  };

  it('takes 32 bytes as hex, base64 or base64url, and reaches the Slack OAuth config', () => {
    for (const written of [KEY.toString('hex'), KEY.toString('base64'), KEY.toString('base64url'), ` ${KEY.toString('hex').toUpperCase()} `]) {
      expect(loadConfig({ PARTNERBOT_ENCRYPTION_KEY: written }).encryptionKey?.equals(KEY)).toBe(true);
      expect((oauthKey({ ...SLACK_OAUTH, PARTNERBOT_ENCRYPTION_KEY: written }) as Buffer).equals(KEY)).toBe(true);
    }
  });

  it('is off when unset', () => {
    expect(loadConfig({}).encryptionKey).toBeNull();
    expect(oauthKey(SLACK_OAUTH)).toBeUndefined();
  });

  it.each([
    ['too short', randomBytes(16).toString('base64')],
    ['too long', randomBytes(48).toString('hex')],
    ['not hex or base64', 'correct horse battery staple, a passphrase'],
    ['63 hex characters', KEY.toString('hex').slice(1)],
  ])('refuses a key that is %s, without repeating it', (_what, written) => {
    let message = '';
    try {
      loadConfig({ PARTNERBOT_ENCRYPTION_KEY: written });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/PARTNERBOT_ENCRYPTION_KEY must be 32 random bytes/);
    expect(message).not.toContain(written);
  });
});
