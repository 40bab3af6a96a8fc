// The conversation book (src/adapters/teams/conversations.ts): every activity's conversation and sender
// are on record for later proactive sends, but a message that changes nothing writes nothing (a
// typed command used to cost two upserts before it was even read).
import type { Activity } from 'botbuilder';
import type { KyselyPlugin } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteTestStore, type TestStore } from '../../../db/testing.ts';
import { TeamsConversationStore } from '../../../db/teams-conversations.ts';
import { ConversationBook, REMEMBER_MS } from '../../../src/adapters/teams/conversations.ts';

const TENANT = 'tenant-1';
const AAD = '8f0c0000-0000-4000-8000-000000000001';
const CHAT = 'a:1ann-personal-chat';
const CHANNEL = '19:general@thread.tacv2';

function activity(over: Partial<Activity> & { personal?: boolean } = {}): Activity {
  const { personal = true, ...rest } = over;
  return {
    type: 'message',
    id: '1',
    channelId: 'msteams',
    serviceUrl: 'http://127.0.0.1:1/',
    from: { id: '29:1ann', name: 'Ann', aadObjectId: AAD },
    recipient: { id: '28:bot', name: 'partnerbot' },
    conversation: personal
      ? { id: CHAT, conversationType: 'personal', tenantId: TENANT, isGroup: false, name: '' }
      : { id: `${CHANNEL};messageid=42`, conversationType: 'channel', tenantId: TENANT, isGroup: true, name: 'General' },
    channelData: personal ? { tenant: { id: TENANT } } : { tenant: { id: TENANT }, team: { id: '19:team@thread.tacv2' } },
    text: 'help',
    ...rest,
  } as Activity;
}

describe('the Teams conversation book', () => {
  let t: TestStore;
  let writes: string[];
  let store: TeamsConversationStore;
  let book: ConversationBook;
  let now: number;

  beforeEach(async () => {
    t = await openSqliteTestStore();
    writes = [];
    // Counts the statements that change something (the real store, watched through a Kysely plugin).
    const watch: KyselyPlugin = {
      transformQuery: ({ node }) => {
        if (node.kind !== 'SelectQueryNode') writes.push(node.kind);
        return node;
      },
      transformResult: async ({ result }) => result,
    };
    store = new TeamsConversationStore(t.store.db.withPlugin(watch));
    now = Date.parse('2027-01-04T09:00:00Z');
    book = new ConversationBook(store, { now: () => new Date(now) });
  });
  afterEach(() => t.dispose());

  it('records a conversation and its sender once, and writes nothing for the same again', async () => {
    await book.record(activity());
    expect(writes).toHaveLength(2);
    now += 1000;
    for (let i = 0; i < 5; i++) await book.record(activity({ id: String(i + 2), text: `message ${i}` }));
    expect(writes).toHaveLength(2);
    expect((await book.personal(TENANT, AAD))?.reference).toMatchObject({ serviceUrl: 'http://127.0.0.1:1/', conversation: { id: CHAT } });
    expect(await book.user(TENANT, AAD)).toMatchObject({ userId: '29:1ann', name: 'Ann', personalConversationId: CHAT });
  });

  it('writes again what changed: the address, the name; a channel message keeps the personal chat', async () => {
    await book.record(activity());
    await book.record(activity({ serviceUrl: 'http://127.0.0.1:2/' }));
    expect(writes).toHaveLength(3);
    expect((await book.conversation(CHAT))?.reference).toMatchObject({ serviceUrl: 'http://127.0.0.1:2/' });
    await book.record(activity({ from: { id: '29:1ann', name: 'Ann Smith', aadObjectId: AAD } }));
    expect(writes).toHaveLength(5); // the reference carries the name too
    expect((await book.user(TENANT, AAD))?.name).toBe('Ann Smith');
    // Seen in a channel: that conversation is new; the person's row would not change, so it is not written.
    await book.record(activity({ personal: false, from: { id: '29:1ann', name: 'Ann Smith', aadObjectId: AAD } }));
    expect(writes).toHaveLength(6);
    expect(await book.user(TENANT, AAD)).toMatchObject({ name: 'Ann Smith', personalConversationId: CHAT });
    expect((await book.conversation(CHANNEL))?.kind).toBe('channel');
  });

  it('writes again once what it remembers is old, and always for installs and membership changes', async () => {
    await book.record(activity());
    now += REMEMBER_MS;
    await book.record(activity());
    expect(writes).toHaveLength(4);
    await book.record(activity({ type: 'conversationUpdate', text: undefined, membersAdded: [{ id: '29:1ann', name: 'Ann', aadObjectId: AAD }] }));
    expect(writes.length).toBeGreaterThan(4);
  });

  it('records the conversation again after the bot was removed from it and came back', async () => {
    await book.record(activity());
    await book.record(activity({ type: 'installationUpdate', action: 'remove', text: undefined }));
    expect(await book.conversation(CHAT)).toBeNull();
    expect((await book.user(TENANT, AAD))?.personalConversationId).toBeNull();
    await book.record(activity({ id: '9' }));
    expect((await book.personal(TENANT, AAD))?.conversationId).toBe(CHAT);
  });

  it('records the conversation again after a send found it gone (forget)', async () => {
    await book.record(activity());
    await book.forget(CHAT);
    await book.record(activity({ id: '9' }));
    expect((await book.personal(TENANT, AAD))?.conversationId).toBe(CHAT);
  });
});
