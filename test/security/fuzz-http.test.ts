// Fuzzing the local HTTP endpoints (the command parser's own never-throws property is in
// test/domain/commands.test.ts): random and mutated real payloads get a 2xx or a 4xx, never a 5xx,
// never crash the process, and a request that fails leaves every table exactly as it was.
// Loopback only, bounded runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlStore } from '../../db/store.ts';
import { startApp, type App } from '../../src/bot/app.ts';
import { loadConfig } from '../../src/bot/config.ts';
import { LocalClient } from '../e2e/helpers/local-client.ts';
import { rowCounts } from './support.ts';

let app: App;
let dir: string;
let pollId: string;
let consultationId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'partnerbot-fuzz-'));
  const config = loadConfig({ DATABASE_URL: join(dir, 'bot.sqlite'), PORT: '0', HOST: '127.0.0.1', SCHEDULER: 'false', LOG_LEVEL: 'silent' });
  app = await startApp(config, { log: pino({ level: 'silent' }) });
  expect(new URL(app.url).hostname).toBe('127.0.0.1');
  const api = new LocalClient(app.url);
  await api.tick('2027-01-04T09:00:00Z');
  await api.command('carol', '/partner setup "Fuzz Partnership"', 'general');
  for (const u of ['ann', 'bob', 'cat']) await api.command(u, `/partner join third "Org ${u}"`, 'general');
  const consult = await api.command('carol', '/partner consult "Budget" by 2027-06-30 anyway', 'general');
  consultationId = /\b(c-[a-z0-9]{8})\b/.exec(JSON.stringify(consult))![1]!;
  const poll = await api.command('carol', '/partner pulse start short', 'general');
  pollId = /\b(p-[a-z0-9]{8})\b/.exec(JSON.stringify(poll))![1]!;
});

afterAll(async () => {
  await app?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const store = () => app.deps.store as SqlStore;

interface Sent {
  status: number;
  json: unknown;
}

async function send(method: string, path: string, body?: string, contentType = 'application/json'): Promise<Sent> {
  const res = await fetch(`${app.url}${path}`, { method, headers: body === undefined ? {} : { 'content-type': contentType }, body });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

/** Replies that are all problems (error: true) changed nothing; so did every 4xx. */
function failed(r: Sent): boolean {
  if (r.status >= 400) return true;
  const messages = (r.json as { messages?: { message?: { error?: boolean } }[] })?.messages ?? [];
  return messages.length > 0 && messages.every((m) => m.message?.error === true);
}

/** Sends, then checks: no 5xx, the bot never says it broke, and a failure left every table alone. */
async function probe(method: string, path: string, body?: string, contentType?: string): Promise<Sent> {
  const before = await rowCounts(store());
  const r = await send(method, path, body, contentType);
  expect(r.status, `${method} ${path} ${String(body).slice(0, 200)}`).toBeLessThan(500);
  expect(JSON.stringify(r.json)).not.toContain('Something went wrong');
  if (failed(r)) expect(await rowCounts(store())).toEqual(before);
  return r;
}

/** Real payloads of each endpoint, to mutate. */
const REAL = () => ({
  '/local/commands': [
    { user: 'carol', channel: 'general', text: `/partner respond ${consultationId} done` },
    { user: 'ann', channel: 'general', text: '/partner pulse answer trust=4 comment="fine"' },
    { user: 'ann', text: '/partner export me' },
    { user: 'carol', channel: 'general', text: '/partner settings k=4' },
  ],
  '/local/actions': [
    { user: 'bob', channel: 'general', action: 'pulse.answer', value: `${pollId}:trust:3` },
    { user: 'cat', action: 'consult.respond', value: `${consultationId}:more_time` },
    { user: 'ann', channel: 'general', action: 'command', value: '/partner results' },
  ],
  '/local/tick': [{ now: '2027-01-04T09:05:00Z' }],
});
type Endpoint = keyof ReturnType<typeof REAL>;
const ENDPOINTS: Endpoint[] = ['/local/commands', '/local/actions', '/local/tick'];

const nasty = fc.oneof(
  fc.string({ maxLength: 50 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constantFrom('', ' ', '\u0000', '\u202E', '../../etc/passwd', '__proto__', "'; DROP TABLE members; --", 'x'.repeat(5000), '2027-13-45T99:99:99Z', '9999-01-01T00:00:00Z', 'p-aaaaaaaa:trust:0'),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

/** A real payload with one field replaced, removed, or an extra one added. */
const mutated = fc
  .record({ endpoint: fc.constantFrom(...ENDPOINTS), which: fc.nat(), field: fc.constantFrom('user', 'channel', 'text', 'action', 'value', 'now', 'extra', '__proto__'), how: fc.constantFrom('replace', 'delete'), value: nasty })
  .map(({ endpoint, which, field, how, value }) => {
    const samples = REAL()[endpoint];
    const body: Record<string, unknown> = { ...samples[which % samples.length]! };
    if (how === 'delete') delete body[field];
    else Object.defineProperty(body, field, { value, enumerable: true, writable: true, configurable: true });
    return { endpoint, body: JSON.stringify(body) };
  });

/** Bodies that are not what any endpoint wants: any JSON, broken JSON, huge ones. */
const random = fc.record({
  endpoint: fc.constantFrom(...ENDPOINTS, '/local/nothing', '/healthz'),
  body: fc.oneof(
    fc.json({ maxDepth: 3 }),
    fc.string({ maxLength: 200 }),
    fc.constantFrom('{', '{"user":', '[]', 'null', '"text"', '{"user":"ann","text":"' + 'a'.repeat(120_000) + '"}', '{"__proto__":{"polluted":1},"user":"ann","text":"/partner help"}'),
  ),
  contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16'),
});

describe('fuzzing the local HTTP API', () => {
  it('mutated real payloads: 2xx or 4xx, and failures change no table', async () => {
    await fc.assert(fc.asyncProperty(mutated, async ({ endpoint, body }) => void (await probe('POST', endpoint, body))), { numRuns: 200 });
  });

  it('random bodies and content types: 2xx or 4xx, and failures change no table', async () => {
    await fc.assert(fc.asyncProperty(random, async ({ endpoint, body, contentType }) => void (await probe('POST', endpoint, body, contentType))), { numRuns: 200 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('random command text from a member: never a 5xx or a crash, and a refused command changes nothing', async () => {
    const text = fc.oneof(
      fc.string({ maxLength: 120 }),
      fc.tuple(fc.constantFrom('/partner ', ''), fc.constantFrom('consult', 'respond', 'pulse', 'results', 'review', 'feedback', 'settings', 'role', 'forget', 'delete', 'export', 'audit', 'join'), fc.string({ maxLength: 60 })).map(([a, b, c]) => `${a}${b} ${c}`),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('carol', 'ann', 'zed'), fc.option(fc.constant('general'), { nil: undefined }), text, async (user, channel, t) => {
        // Destructive commands are for the other properties: here the partnership must survive the run.
        fc.pre(!/\b(forget|delete)\b/i.test(t) || !/confirm/i.test(t));
        await probe('POST', '/local/commands', JSON.stringify({ user, channel, text: t.trim() ? t : 'x' }));
      }),
      { numRuns: 200 },
    );
  });

  it('GET routes with random paths: 2xx or 4xx', async () => {
    const segment = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('general', '..', '%00', '%2e%2e%2f', 'a'.repeat(300), '\u202E'));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/local/channels/', '/local/users/', '/healthz/', '/'), segment, fc.constantFrom('/messages', '', '/x'), async (prefix, s, suffix) => {
        const r = await send('GET', `${prefix}${encodeURIComponent(s)}${suffix}`);
        expect(r.status).toBeLessThan(500);
      }),
      { numRuns: 200 },
    );
    expect((await send('GET', '/healthz')).status).toBe(200);
  });

  it('is still up and consistent afterwards', async () => {
    expect((await send('GET', '/healthz')).status).toBe(200);
    const r = await send('POST', '/local/commands', JSON.stringify({ user: 'carol', channel: 'general', text: '/partner status' }));
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.json)).toContain('Fuzz Partnership');
  });
});
