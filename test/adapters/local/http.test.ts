import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Inbox, type InboxEntry } from '../../../src/adapters/local/inbox.ts';
import { localRouter } from '../../../src/adapters/local/http.ts';
import { INTERNAL_ERROR, startServer, type RunningServer } from '../../../src/bot/server.ts';
import { FakeCore, recordingLogger } from './fake-core.ts';

type Json = Record<string, any>;

let inbox: Inbox;
let core: FakeCore;
let server: RunningServer;
let logged: ReturnType<typeof recordingLogger>;

async function post(path: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const res = await fetch(server.url + path, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as Json };
}
async function get(path: string) {
  const res = await fetch(server.url + path);
  return { status: res.status, body: (await res.json()) as Json };
}

beforeEach(async () => {
  inbox = new Inbox();
  core = new FakeCore(inbox);
  logged = recordingLogger();
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    routers: [localRouter(core, inbox, { allowTick: true, log: logged.log })],
    healthy: () => core.healthy(),
    log: logged.log,
  });
});
afterEach(() => server.close());

describe('POST /local/commands', () => {
  it('runs the command as the local actor and returns channel and private replies', async () => {
    const res = await post('/local/commands', { user: 'alice', channel: 'general', text: '/partner help' });
    expect(res.status).toBe(200);
    expect(core.commands).toEqual([
      {
        actor: {
          identity: { platform: 'local', workspace: 'local', user: 'alice' },
          displayName: 'alice',
          channel: { platform: 'local', workspace: 'local', channel: 'general' },
        },
        text: '/partner help',
      },
    ]);
    const [pub, priv] = res.body.messages;
    expect(pub).toEqual({ channel: 'general', text: '== Reply ==\nYou said: /partner help', message: expect.objectContaining({ heading: 'Reply' }) });
    expect(priv).toMatchObject({ user: 'alice', text: 'Only for you', message: { private: true } });
    expect(priv.channel).toBeUndefined();
  });

  it('records the typed command and the public reply in the channel, but not the private one', async () => {
    await post('/local/commands', { user: 'alice', channel: 'general', text: '/partner help' });
    const { status, body } = await get('/local/channels/general/messages');
    expect(status).toBe(200);
    const entries = body.messages as InboxEntry[];
    expect(entries.map((e) => [e.from, e.text])).toEqual([
      ['alice', '/partner help'],
      [null, '== Reply ==\nYou said: /partner help'],
    ]);
    expect(entries.some((e) => e.text.includes('Only for you'))).toBe(false);
    expect((await get('/local/users/alice/messages')).body.messages).toEqual([]);
  });

  it('flushes the outbox before answering, so DMs the command caused are already delivered', async () => {
    await post('/local/commands', { user: 'alice', channel: 'general', text: '/partner notify' });
    expect(core.flushes).toBe(1);
    const dms = (await get('/local/users/bob/messages')).body.messages as InboxEntry[];
    expect(dms).toMatchObject([{ user: 'bob', from: null, text: 'You were added by alice' }]);
  });

  it('treats a missing channel as a direct message with the bot', async () => {
    const res = await post('/local/commands', { user: 'carol', text: 'status' });
    expect(res.status).toBe(200);
    expect(core.commands[0]?.actor.channel).toBeNull();
    expect(res.body.messages.map((m: Json) => m.user)).toEqual(['carol', 'carol']);
    const dms = (await get('/local/users/carol/messages')).body.messages as InboxEntry[];
    expect(dms.map((e) => [e.from, e.text])).toEqual([
      ['carol', 'status'],
      [null, '== Reply ==\nYou said: status'],
    ]);
  });

  it('still answers when sending the outbox afterwards fails, and logs it', async () => {
    core.failFlush = true;
    const res = await post('/local/commands', { user: 'alice', channel: 'general', text: 'help' });
    expect(res.status).toBe(200);
    expect(res.body.messages).toHaveLength(2);
    expect(logged.lines().some((l) => l.level === 40 && String(l.msg).includes('outbox'))).toBe(true);
  });
});

describe('POST /local/actions', () => {
  it('passes the action id and value to the core and returns the replies', async () => {
    const res = await post('/local/actions', { user: 'dan', channel: 'board', action: 'pulse.answer', value: 'p1:trust:4' });
    expect(res.status).toBe(200);
    expect(core.actions).toEqual([
      { actor: expect.objectContaining({ identity: { platform: 'local', workspace: 'local', user: 'dan' } }), actionId: 'pulse.answer', value: 'p1:trust:4' },
    ]);
    expect(res.body.messages).toEqual([{ user: 'dan', text: '== Thanks ==\nPressed pulse.answer = p1:trust:4', message: expect.any(Object) }]);
    expect(core.flushes).toBe(1);
  });

  it('presses in a direct message when no channel is given', async () => {
    await post('/local/actions', { user: 'dan', action: 'consult.respond', value: 'c1:responded' });
    expect(core.actions[0]?.actor.channel).toBeNull();
  });
});

describe('reading the inbox', () => {
  it('returns channel history oldest first across several commands and posts', async () => {
    await post('/local/commands', { user: 'alice', channel: 'general', text: 'one' });
    await post('/local/commands', { user: 'bob', channel: 'general', text: 'two' });
    await post('/local/commands', { user: 'bob', channel: 'other', text: 'elsewhere' });
    const entries = (await get('/local/channels/general/messages')).body.messages as InboxEntry[];
    expect(entries.map((e) => e.text.replace(/^== Reply ==\n/, ''))).toEqual(['one', 'You said: one', 'two', 'You said: two']);
    const seqs = entries.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });
});

describe('POST /local/tick', () => {
  it('runs the scheduler at the given time and returns what it posted', async () => {
    const res = await post('/local/tick', { now: '2026-12-01T09:30:00Z' });
    expect(res.status).toBe(200);
    expect(core.ticks.map((d) => d.toISOString())).toEqual(['2026-12-01T09:30:00.000Z']);
    expect(res.body).toMatchObject({ ok: true, now: '2026-12-01T09:30:00.000Z', messages: [{ channel: 'general', text: '== Digest ==\nAs of 2026-12-01T09:30:00.000Z' }] });
    expect((await get('/local/channels/general/messages')).body.messages).toHaveLength(1);
  });

  it('accepts a time with an offset', async () => {
    expect((await post('/local/tick', { now: '2026-12-01T09:30:00+01:00' })).status).toBe(200);
    expect(core.ticks[0]?.toISOString()).toBe('2026-12-01T08:30:00.000Z');
  });

  it('rejects a missing or malformed time', async () => {
    expect((await post('/local/tick', {})).body.error).toMatch(/"now" is missing/);
    const bad = await post('/local/tick', { now: 'next tuesday' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/"now" must be an ISO time/);
    expect(core.ticks).toEqual([]);
  });

  it('does not exist when ticking is not allowed', async () => {
    const other = await startServer({
      host: '127.0.0.1',
      port: 0,
      routers: [localRouter(core, inbox, { allowTick: false })],
      healthy: async () => true,
      log: pino({ level: 'silent' }),
    });
    try {
      const res = await fetch(`${other.url}/local/tick`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"now":"2026-12-01T09:30:00Z"}' });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: 'Nothing here: POST /local/tick' });
      expect(core.ticks).toEqual([]);
    } finally {
      await other.close();
    }
  });
});

describe('bad requests', () => {
  const ok = { user: 'alice', channel: 'general', text: 'help' };

  it('answers bad JSON with a JSON 400, not an HTML page', async () => {
    const res = await post('/local/commands', '{"user": "alice", ');
    expect(res.status).toBe(400);
    expect(res.type).toMatch(/application\/json/);
    expect(res.body).toEqual({ error: 'The request body is not valid JSON.' });
  });

  it('asks for JSON when the content type is missing or the body is not an object', async () => {
    const noType = await post('/local/commands', JSON.stringify(ok), { 'content-type': 'text/plain' });
    expect(noType.status).toBe(400);
    expect(noType.body.error).toMatch(/Content-Type: application\/json/);
    const array = await post('/local/commands', [ok]);
    expect(array.status).toBe(400);
    expect(array.body.error).toBe('The request body must be a JSON object.');
  });

  it('names the missing, empty or malformed field', async () => {
    const cases: [Json, RegExp][] = [
      [{ channel: 'general', text: 'help' }, /^"user" is missing/],
      [{ ...ok, user: '' }, /^"user" is empty/],
      [{ ...ok, user: 42 }, /^"user" must be a string/],
      [{ ...ok, user: 'a'.repeat(65) }, /^"user" is too long/],
      [{ ...ok, user: 'alice smith' }, /^"user" may use only letters/],
      [{ ...ok, channel: '#general' }, /^"channel" may use only letters/],
      [{ ...ok, channel: '../etc' }, /^"channel" may use only letters/],
      [{ user: 'alice' }, /^"text" is missing/],
      [{ ...ok, text: '   ' }, /^"text" is empty/],
      [{ ...ok, text: 'x'.repeat(4001) }, /^"text" is too long: at most 4000/],
    ];
    for (const [body, error] of cases) {
      const res = await post('/local/commands', body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.error).toMatch(error);
    }
    expect((await post('/local/commands', { ...ok, text: 'x'.repeat(4000) })).status).toBe(200);
    expect(core.commands).toHaveLength(1);
    expect(inbox.lastSeq()).toBe(2); // only the accepted command was recorded (typed text + public reply)
  });

  it('validates button presses', async () => {
    expect((await post('/local/actions', { user: 'alice', value: 'c1:responded' })).body.error).toMatch(/^"action" is missing/);
    expect((await post('/local/actions', { user: 'alice', action: 'Bad Action', value: 'x' })).body.error).toMatch(/^"action" must be an action id/);
    expect((await post('/local/actions', { user: 'alice', action: 'consult.respond' })).body.error).toMatch(/^"value" is missing/);
    expect(core.actions).toEqual([]);
  });

  it('rejects a bad name in the path', async () => {
    const res = await get('/local/channels/bad%20name/messages');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/"channel" in the path/);
    expect((await get('/local/users/-x/messages')).status).toBe(400);
  });

  it('answers an oversized body with a JSON 413', async () => {
    const res = await post('/local/commands', { ...ok, text: 'x'.repeat(200_000) });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatch(/too large/);
  });

  it('answers unknown paths with a JSON 404', async () => {
    const res = await get('/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'Nothing here: GET /nope' });
  });
});

describe('failures in the core', () => {
  it('answers 500 with a plain sentence, no stack, and logs the error', async () => {
    const res = await post('/local/commands', { user: 'alice', channel: 'general', text: 'boom' });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: INTERNAL_ERROR });
    const error = logged.lines().find((l) => l.level === 50);
    expect(error).toMatchObject({ msg: 'request failed', method: 'POST', path: '/local/commands' });
    expect(JSON.stringify(error)).toContain('/srv/secret/db.ts');
  });

  it('passes a UserError that escaped the core to the person as a 400', async () => {
    const res = await post('/local/commands', { user: 'alice', channel: 'general', text: 'usererr' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'Only a coordinator can do that.' });
  });
});

describe('GET /healthz', () => {
  it('is 200 when healthy and 503 when not', async () => {
    expect(await get('/healthz')).toEqual({ status: 200, body: { ok: true } });
    core.isHealthy = false;
    expect(await get('/healthz')).toEqual({ status: 503, body: { ok: false } });
  });
});
