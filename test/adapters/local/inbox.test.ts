import { describe, expect, it } from 'vitest';
import { message, para } from '../../../src/domain/message.ts';
import { Inbox } from '../../../src/adapters/local/inbox.ts';

const m = (s: string) => message(undefined, para(s));

describe('Inbox', () => {
  it('keeps channel posts and direct messages apart, oldest first, with rendered text', async () => {
    const inbox = new Inbox();
    await inbox.send({ kind: 'channel', platform: 'local', workspace: 'local', channel: 'general' }, m('one'));
    await inbox.send({ kind: 'user', platform: 'local', workspace: 'local', user: 'alice' }, m('dm'));
    inbox.recordTyped('bob', { channel: 'general' }, '/partner status');
    await inbox.send({ kind: 'channel', platform: 'local', workspace: 'local', channel: 'general' }, m('two'));

    const general = inbox.channel('general');
    expect(general.map((e) => [e.from, e.text])).toEqual([[null, 'one'], ['bob', '/partner status'], [null, 'two']]);
    expect(general[0]?.message).toEqual(m('one'));
    expect(general[1]?.message).toBeUndefined();
    expect(general.map((e) => e.seq)).toEqual([...general.map((e) => e.seq)].sort((a, b) => a - b));
    expect(inbox.user('alice').map((e) => [e.user, e.text])).toEqual([['alice', 'dm']]);
    expect(inbox.channel('nowhere')).toEqual([]);
    expect(inbox.user('bob')).toEqual([]);
  });

  it('returns copies, so callers cannot rewrite history', () => {
    const inbox = new Inbox();
    inbox.postToChannel('general', m('x'));
    inbox.channel('general').pop();
    expect(inbox.channel('general')).toHaveLength(1);
  });

  it('keeps only the newest entries of each conversation', () => {
    const inbox = new Inbox({ limit: 3 });
    for (let i = 1; i <= 5; i++) inbox.postToChannel('general', m(`n${i}`));
    inbox.postToChannel('other', m('o1'));
    expect(inbox.channel('general').map((e) => e.text)).toEqual(['n3', 'n4', 'n5']);
    expect(inbox.channel('other').map((e) => e.text)).toEqual(['o1']);
  });

  it('lists everything after a sequence number across conversations, in order', () => {
    const inbox = new Inbox();
    inbox.postToChannel('a', m('before'));
    const mark = inbox.lastSeq();
    inbox.postToUser('zed', m('1'));
    inbox.postToChannel('a', m('2'));
    inbox.postToUser('amy', m('3'));
    expect(inbox.since(mark).map((e) => e.text)).toEqual(['1', '2', '3']);
    expect(inbox.since(inbox.lastSeq())).toEqual([]);
  });

  it('refuses targets on other platforms', async () => {
    const inbox = new Inbox();
    await expect(inbox.send({ kind: 'user', platform: 'slack', workspace: 'T1', user: 'U1' }, m('x'))).rejects.toThrow(/slack/);
    expect(inbox.lastSeq()).toBe(0);
  });
});
