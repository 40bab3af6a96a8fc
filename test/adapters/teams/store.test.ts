// The Teams conversation store, run against SQLite and PostgreSQL like the main store suite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresTestStore, openSqliteTestStore, postgresAnswers, type TestStore } from '../../../db/testing.ts';
import { TeamsConversationStore, type StoredConversation } from '../../../db/teams-conversations.ts';

const CI = process.env.CI === 'true';
const postgresUp = await postgresAnswers();
if (!postgresUp && !CI) console.log('PostgreSQL Teams store suite SKIPPED: no server answers (with CI=true it fails instead).');

const dialects = [
  { name: 'sqlite', open: openSqliteTestStore },
  ...(postgresUp || CI ? [{ name: 'postgres', open: () => openPostgresTestStore() }] : []),
];

const T = 'tenant-1';
const AT = '2027-01-04T09:00:00.000Z';
const LATER = '2027-01-05T09:00:00.000Z';

function conv(id: string, kind: StoredConversation['kind'], teamId: string | null = null): StoredConversation {
  return { conversationId: id, tenantId: T, kind, teamId, reference: { serviceUrl: 'http://127.0.0.1:1/', conversation: { id, conversationType: kind } } };
}

describe.each(dialects)('Teams conversation store on $name', ({ open }) => {
  let t: TestStore;
  let store: TeamsConversationStore;

  beforeAll(async () => {
    t = await open();
    store = new TeamsConversationStore(t.store.db);
  });
  afterAll(async () => t?.dispose());

  it('stores a conversation reference and replaces it when seen again', async () => {
    await store.saveConversation(conv('19:a@thread.tacv2', 'channel', '19:team@thread.tacv2'), AT);
    const again = conv('19:a@thread.tacv2', 'channel', '19:team@thread.tacv2');
    again.reference = { ...again.reference, serviceUrl: 'http://127.0.0.1:2/' };
    await store.saveConversation(again, LATER);
    expect(await store.conversation('19:a@thread.tacv2')).toEqual(again);
    expect(await store.conversation('19:unknown@thread.tacv2')).toBeNull();
  });

  it("lists a team's channels", async () => {
    await store.saveConversation(conv('19:b@thread.tacv2', 'channel', '19:team@thread.tacv2'), AT);
    await store.saveConversation(conv('19:other@thread.tacv2', 'channel', '19:other-team@thread.tacv2'), AT);
    await store.saveConversation(conv('19:chat@thread.v2', 'groupChat'), AT);
    expect((await store.teamChannels('19:team@thread.tacv2')).map((c) => c.conversationId)).toEqual(['19:a@thread.tacv2', '19:b@thread.tacv2']);
  });

  it('finds a personal chat by tenant and AAD object id, keeping what a later sighting does not say', async () => {
    await store.saveUser({ tenantId: T, aadObjectId: 'aad-1', userId: '29:one', name: 'Ann' }, AT);
    expect(await store.personalConversation(T, 'aad-1')).toBeNull();
    await store.saveConversation(conv('a:ann-chat', 'personal'), AT);
    await store.saveUser({ tenantId: T, aadObjectId: 'aad-1', userId: '29:one', personalConversationId: 'a:ann-chat' }, LATER);
    // Seen again in a channel: no name, no personal chat in that activity; both are kept.
    await store.saveUser({ tenantId: T, aadObjectId: 'aad-1', userId: '29:one' }, LATER);
    expect(await store.user(T, 'aad-1')).toEqual({ tenantId: T, aadObjectId: 'aad-1', userId: '29:one', name: 'Ann', personalConversationId: 'a:ann-chat' });
    expect((await store.personalConversation(T, 'aad-1'))?.conversationId).toBe('a:ann-chat');
    expect(await store.personalConversation('another-tenant', 'aad-1')).toBeNull();
  });

  it('forgets a conversation the bot was removed from, and the link to it', async () => {
    await store.removeConversation('a:ann-chat', LATER);
    expect(await store.conversation('a:ann-chat')).toBeNull();
    expect(await store.personalConversation(T, 'aad-1')).toBeNull();
    expect((await store.user(T, 'aad-1'))?.name).toBe('Ann');
  });
});
