// The dispatcher's Slack sender against the fake Web API: posts to channels and DMs, reads Slack's
// failures as SendErrors (Retry-After, permanent), and never retries on its own.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webApi } from '@slack/bolt';
import { boltLogger, clientOptions } from '../../../src/adapters/slack/client.ts';
import { slackSender } from '../../../src/adapters/slack/sender.ts';
import { SendError } from '../../../src/bot/dispatcher.ts';
import { message, para, u } from '../../../src/domain/message.ts';
import { FakeSlack } from '../../fakes/slack-api.ts';

const TOKEN = 'xoxb-sender';
const channel = { kind: 'channel', platform: 'slack', workspace: 'T1', channel: 'C1' } as const;
const dm = { kind: 'user', platform: 'slack', workspace: 'T1', user: 'U1' } as const;
const msg = message('Digest', para(u('<!channel> hi')));

let fake: FakeSlack;
let sender: ReturnType<typeof slackSender>;

beforeAll(async () => {
  fake = await new FakeSlack().start();
  fake.tokens.set(TOKEN, { teamId: 'T1', botUserId: 'UBOT' });
  const client = new webApi.WebClient(TOKEN, clientOptions(fake.apiUrl, boltLogger(pino({ level: 'silent' }))));
  sender = slackSender({ clientFor: async (ws) => (ws === 'T1' ? client : null) });
});

afterAll(async () => {
  await fake?.stop();
});

async function failure(p: Promise<void>): Promise<SendError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(SendError);
  return err as SendError;
}

describe('the Slack sender', () => {
  it('posts to a channel, and to a person by their user id (their DM with the app)', async () => {
    const from = fake.mark();
    await sender.send(channel, msg);
    await sender.send(dm, msg);
    const calls = fake.since(from, 'chat.postMessage');
    expect(calls.map((c) => c.args.channel)).toEqual(['C1', 'U1']);
    expect(calls[0]!.token).toBe(TOKEN);
    expect(calls[0]!.args.text).toBe('Digest');
    expect(JSON.stringify(calls[0]!.args.blocks)).toContain('&lt;!channel&gt; hi');
    expect(calls[0]!.args.unfurl_links).toBe('false');
  });

  it('turns a 429 into Retry-After for the dispatcher, without retrying itself', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 7 });
    const from = fake.mark();
    const err = await failure(sender.send(channel, msg));
    expect(err.opts).toEqual({ retryAfterMs: 7000 });
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.since(from)).toHaveLength(1);
  });

  it.each(['channel_not_found', 'not_in_channel', 'account_inactive', 'invalid_auth'])('dead-letters %s at once', async (code) => {
    fake.failNext('chat.postMessage', { error: code });
    const err = await failure(sender.send(channel, msg));
    expect(err.opts.permanent).toBe(true);
    expect(err.message).toContain(code);
  });

  it('leaves other failures to the dispatcher’s backoff', async () => {
    fake.failNext('chat.postMessage', { error: 'internal_error' });
    const err = await failure(sender.send(channel, msg));
    expect(err.opts.permanent).toBeUndefined();
    expect(err.opts.retryAfterMs).toBeUndefined();
  });

  it('dead-letters a message for a workspace the app is not installed in', async () => {
    const err = await failure(sender.send({ ...channel, workspace: 'T404' }, msg));
    expect(err.opts.permanent).toBe(true);
  });
});
