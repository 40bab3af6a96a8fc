// The Slack installation store, on SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Installation } from '@slack/bolt';
import { SlackInstallations } from '../../../db/slack-installations.ts';
import { openPostgresTestStore, openSqliteTestStore, postgresAnswers, type TestStore } from '../../../db/testing.ts';

const CI = process.env.CI === 'true';
const postgresUp = await postgresAnswers();
const dialects = [{ name: 'sqlite', open: openSqliteTestStore }, ...(postgresUp || CI ? [{ name: 'postgres', open: () => openPostgresTestStore() }] : [])];

function teamInstall(team: string, token: string, enterprise?: string): Installation<'v2', false> {
  return {
    team: { id: team, name: team },
    enterprise: enterprise ? { id: enterprise, name: enterprise } : undefined,
    user: { token: undefined, scopes: undefined, id: 'U1' },
    bot: { scopes: ['chat:write'], token, userId: 'UBOT', id: 'BBOT' },
    isEnterpriseInstall: false,
    authVersion: 'v2',
    appId: 'A1',
    tokenType: 'bot',
  };
}

function orgInstall(enterprise: string, token: string): Installation<'v2', true> {
  return {
    team: undefined,
    enterprise: { id: enterprise, name: enterprise },
    user: { token: undefined, scopes: undefined, id: 'U1' },
    bot: { scopes: ['chat:write'], token, userId: 'UBOT', id: 'BBOT' },
    isEnterpriseInstall: true,
    authVersion: 'v2',
    appId: 'A1',
    tokenType: 'bot',
  };
}

describe.each(dialects)('Slack installations on $name', ({ open }) => {
  let t: TestStore;
  let store: SlackInstallations;

  beforeAll(async () => {
    t = await open();
    store = new SlackInstallations(t.store.db, () => new Date('2027-01-04T09:00:00Z'));
  });

  afterAll(async () => {
    await t?.dispose();
  });

  it('stores, fetches, replaces and deletes a team installation', async () => {
    await store.storeInstallation(teamInstall('T1', 'xoxb-a'));
    expect((await store.fetchInstallation({ teamId: 'T1', isEnterpriseInstall: false, enterpriseId: undefined })).bot?.token).toBe('xoxb-a');
    await store.storeInstallation(teamInstall('T1', 'xoxb-b'));
    expect(await store.botToken('T1')).toBe('xoxb-b');
    await store.deleteInstallation({ teamId: 'T1', isEnterpriseInstall: false, enterpriseId: undefined });
    expect(await store.byWorkspace('T1')).toBeNull();
    await expect(store.fetchInstallation({ teamId: 'T1', isEnterpriseInstall: false, enterpriseId: undefined })).rejects.toThrow(/not installed/);
  });

  it('keys an org-wide install by its enterprise, and lets it answer for the enterprise’s teams', async () => {
    await store.storeInstallation(orgInstall('E1', 'xoxb-org'));
    expect(await store.botToken('E1')).toBe('xoxb-org');
    const viaTeam = await store.fetchInstallation({ teamId: 'T7', enterpriseId: 'E1', isEnterpriseInstall: false });
    expect(viaTeam.bot?.token).toBe('xoxb-org');
    // A team's own install wins over the org's.
    await store.storeInstallation(teamInstall('T7', 'xoxb-team', 'E1'));
    expect((await store.fetchInstallation({ teamId: 'T7', enterpriseId: 'E1', isEnterpriseInstall: false })).bot?.token).toBe('xoxb-team');
    expect((await store.fetchInstallation({ teamId: undefined, enterpriseId: 'E1', isEnterpriseInstall: true })).bot?.token).toBe('xoxb-org');
  });
});
