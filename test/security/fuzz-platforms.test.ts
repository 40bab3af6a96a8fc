// Fuzzing the platform endpoints through the real SDK stacks (Bolt at POST /slack/events, teams-ai at
// POST /api/messages): random and mutated real payloads (test/fixtures/slack, test/fixtures/teams) —
// fields replaced, removed, retyped or added, JSON structure broken, form encoding mangled, huge
// strings, unicode — answer 2xx or 4xx, never 5xx, never crash the process, and change no table
// unless the core carried out a command (a refused or unparsed request leaves no partial data).
// Slack requests are CORRECTLY SIGNED, so they get past the signature check and exercise parsing;
// Teams runs with authentication off (loopback only). Every URL an attacker could choose
// (response_url, serviceUrl) is pinned to the local fakes, and a tripwire refuses any connection off
// loopback. Bounded runs.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlStore } from '../../db/store.ts';
import { startSlackWorld, person as slackPerson, SECRET, type SlackWorld } from '../fakes/slack-world.ts';
import { eventRequest, formRequest, interactionRequest, signature, type SlackRequest } from '../fakes/slack-requests.ts';
import { startTeamsWorld, type TeamsWorld } from '../fakes/teams-world.ts';
import { executeInvoke, installPersonal, membersAdded, person as teamsPerson, submitMessage, textMessage } from '../fakes/teams-activities.ts';
import { isLoopback } from '../../src/bot/loopback.ts';
import { spyOnCore, type CoreSpy } from './core-spy.ts';
import { guardLoopback, type LoopbackGuard } from './loopback-guard.ts';
import { rowCounts } from './support.ts';

const RUNS = 150;
/** Per property: each run waits for the listeners to go quiet and counts every table twice. */
const TIMEOUT = 240_000;

// ---- mutations of JSON-shaped payloads --------------------------------------------------------------

type Path = (string | number)[];

/** Every path into a payload (depth-bounded), the root's children first. */
function paths(value: unknown, prefix: Path = [], depth = 0): Path[] {
  if (depth > 6 || typeof value !== 'object' || value === null) return [];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((k) => [[...prefix, k], ...paths((value as Record<string | number, unknown>)[k], [...prefix, k], depth + 1)]);
}

const OPS = ['replace', 'delete', 'stringify', 'wrap', 'empty', 'add'] as const;
type Op = (typeof OPS)[number];

function mutateAt(root: unknown, path: Path, op: Op, value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  if (!path.length) return value;
  let parent: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const key = path.at(-1)!;
  const old = parent[key];
  const set = (v: unknown) => Object.defineProperty(parent, key, { value: v, enumerable: true, writable: true, configurable: true });
  switch (op) {
    case 'replace': set(value); break;
    case 'delete': if (Array.isArray(parent)) parent.splice(Number(key), 1); else delete parent[key]; break;
    case 'stringify': set(JSON.stringify(old) ?? 'undefined'); break;
    case 'wrap': set([old, value]); break;
    case 'empty': set(Array.isArray(old) ? [] : typeof old === 'object' && old !== null ? {} : ''); break;
    case 'add': set(typeof old === 'object' && old !== null ? { ...(old as object), extra: value } : value); break;
  }
  return copy;
}

const huge = (n: number) => fc.constantFrom('a'.repeat(n), '€'.repeat(n / 3), '<!channel>'.repeat(n / 10), '\u0000'.repeat(n / 10));

/** Values that break assumptions: wrong types, control characters, bidi, markup, huge strings. */
const nasty: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\u202E', '\uD800', '💥🏳️‍🌈', '<!channel>', '<@U0CAROL>', '__proto__', 'constructor', 'toString', '{"a":', 'null', 'true', 'C0NORTH', 'D0ALICE', 'T0001', 'partner.consult', 'home', 'setup "X"', 'help'),
  huge(60_000),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

const mutation = fc.record({ path: fc.nat(), op: fc.constantFrom(...OPS), value: nasty });

function applyMutation(payload: unknown, m: { path: number; op: Op; value: unknown }): unknown {
  const all = paths(payload);
  return all.length ? mutateAt(payload, all[m.path % all.length]!, m.op, m.value) : payload;
}

/** Any http(s) URL off loopback becomes `safe`: the bot may only ever call the fakes. */
function pinUrls(value: unknown, safe: string): unknown {
  if (typeof value === 'string') {
    try {
      const url = new URL(value);
      if (/^(https?|wss?):$/.test(url.protocol) && !isLoopback(url.hostname)) return safe;
    } catch {
      // not a URL
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => pinUrls(v, safe));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: pinUrls(v, safe), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

// ---- Slack ------------------------------------------------------------------------------------------

describe('fuzzing POST /slack/events with correctly signed requests', () => {
  let w: SlackWorld;
  let guard: LoopbackGuard;
  let core: CoreSpy;
  let consultationId = '';
  const safe = () => w.fake.responseUrl('fuzz');

  beforeAll(async () => {
    guard = guardLoopback();
    w = await startSlackWorld();
    w.clock.set(new Date('2027-01-04T09:00:00Z'));
    core = spyOnCore(w.app.core);
    // A partnership to act in, so mutated requests that still parse do real work.
    const run = async (who: string, text: string) => {
      expect((await w.slack.post(w.payloads.command(slackPerson(who), text))).status).toBe(200);
      await core.idle();
    };
    await run('carol', 'setup "Fuzz Partnership"');
    await run('carol', 'settings pulse=off');
    for (const who of ['alice', 'bob']) await run(who, `join third "Org ${who}"`);
    await run('carol', 'consult "Budget" by 2027-06-30 anyway');
    const posted = JSON.stringify(w.fake.calls.filter((c) => c.method === 'chat.postMessage').map((c) => c.args));
    consultationId = /c-[a-z0-9]{8}/.exec(posted)![0];
  });

  afterAll(async () => {
    await w?.stop();
    guard?.restore();
  });

  /** Real requests of every kind Slack sends, as objects to mutate. */
  const seeds = () => {
    const carol = slackPerson('carol');
    const alice = slackPerson('alice');
    const fields = (req: SlackRequest) => Object.fromEntries(new URLSearchParams(req.body));
    const payload = (req: SlackRequest) => JSON.parse(new URLSearchParams(req.body).get('payload')!) as unknown;
    return {
      command: [
        fields(w.payloads.command(carol, 'status')),
        fields(w.payloads.command(alice, `respond ${consultationId} done`)),
        fields(w.payloads.command(carol, 'consult')), // opens a form
        fields(w.payloads.command(alice, 'help', { id: 'D0ALICE', name: 'directmessage' })),
      ],
      interaction: [
        payload(w.payloads.action(alice, 'consult.respond#1', `${consultationId}:responded`)),
        payload(w.payloads.action(carol, 'command#2', 'status', { home: true })),
        payload(w.payloads.action(alice, 'pulse.answer#3', 'p-aaaaaaaa:trust:4')),
        payload(w.payloads.submission(carol, 'partner.consult', { title: { title: { type: 'plain_text_input', value: 'Roads' } }, deadline: { deadline: { type: 'datepicker', selected_date: '2027-06-30' } } })),
        payload(w.payloads.submission(carol, 'partner.review', {})),
      ],
      event: [
        JSON.parse(w.payloads.event('app-home-opened', { user: 'U0ALICE' }).body) as unknown,
        JSON.parse(w.payloads.event('member-joined-channel', { user: 'U0DAN', channel: 'C0NORTH' }).body) as unknown,
        { token: 'x', challenge: 'abc', type: 'url_verification' },
      ],
    };
  };

  type Kind = 'command' | 'interaction' | 'event';
  const encode = (kind: Kind, value: unknown): SlackRequest => {
    const pinned = pinUrls(value, safe());
    if (kind === 'interaction') return interactionRequest(pinned);
    if (kind === 'event') return eventRequest(pinned);
    if (typeof pinned !== 'object' || pinned === null || Array.isArray(pinned)) return formRequest({ text: JSON.stringify(pinned) });
    // Form fields are strings: anything else goes as its JSON text.
    return formRequest(Object.fromEntries(Object.entries(pinned).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v) ?? ''])));
  };

  /** Ways to mangle the encoding itself, after the payload was mutated. */
  const MANGLE = ['none', 'none', 'none', 'duplicate-field', 'broken-percent', 'json-as-form', 'form-as-json', 'no-content-type', 'truncated', 'charset', 'payload-garbage', 'huge-field'] as const;
  function mangle(req: SlackRequest, how: (typeof MANGLE)[number], junk: string): SlackRequest {
    switch (how) {
      case 'none': return req;
      case 'duplicate-field': return { ...req, body: `${req.body}&${req.body.split('&')[0] ?? 'x'}&text=${encodeURIComponent(junk)}` };
      case 'broken-percent': return { ...req, body: `${req.body}&text=%E0%A4%A&payload=%` };
      case 'json-as-form': return { body: req.contentType === 'application/json' ? req.body : JSON.stringify(Object.fromEntries(new URLSearchParams(req.body))), contentType: 'application/x-www-form-urlencoded' };
      case 'form-as-json': return { ...req, contentType: 'application/json' };
      case 'no-content-type': return { ...req, contentType: '' };
      case 'truncated': return { ...req, body: req.body.slice(0, Math.max(1, Math.floor(req.body.length / 2))) };
      case 'charset': return { ...req, contentType: `${req.contentType}; charset=utf-16` };
      case 'payload-garbage': return formRequest({ payload: junk });
      case 'huge-field': return { ...req, body: `${req.body}&${req.contentType === 'application/json' ? '' : `junk=${'x'.repeat(200_000)}`}` };
    }
  }

  async function signedPost(req: SlackRequest): Promise<number> {
    const ts = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature(SECRET, ts, req.body) };
    if (req.contentType) headers['content-type'] = req.contentType;
    const res = await fetch(`${w.app.url}/slack/events`, { method: 'POST', headers, body: req.body, signal: AbortSignal.timeout(10_000) });
    await res.text();
    return res.status;
  }

  /** Sends, waits for the listeners to finish, and checks the three promises. */
  async function probe(req: SlackRequest, what: () => string): Promise<void> {
    const before = await rowCounts(w.app.deps.store as SqlStore);
    core.reset();
    const status = await signedPost(req);
    expect(status, what()).toBeLessThan(500);
    await core.idle();
    if (status >= 400 || !core.succeeded) expect(await rowCounts(w.app.deps.store as SqlStore), what()).toEqual(before);
  }

  it(`mutated real payloads of every kind (${RUNS} runs): 2xx/4xx, and no partial data`, async () => {
    const all = seeds();
    const kinds = Object.keys(all) as Kind[];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...kinds), fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.constantFrom(...MANGLE), fc.string({ maxLength: 30 }), async (kind, which, ms, how, junk) => {
        const list = all[kind];
        const payload = ms.reduce<unknown>((p, m) => applyMutation(p, m), list[which % list.length]);
        const req = mangle(encode(kind, payload), how, junk);
        await probe(req, () => `${kind} ${how} ${req.contentType} ${req.body.slice(0, 300)}`);
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it(`random bodies (${RUNS} runs): 2xx/4xx, and no partial data`, async () => {
    const body = fc.oneof(
      fc.json({ maxDepth: 3 }).map((j) => eventRequest(JSON.parse(j))),
      fc.json({ maxDepth: 3 }).map((j) => formRequest({ payload: j })),
      fc.dictionary(fc.constantFrom('command', 'text', 'team_id', 'user_id', 'channel_id', 'response_url', 'trigger_id', 'ssl_check', 'type', 'payload'), fc.string({ maxLength: 30 })).map((f) => formRequest(f as Record<string, string>)),
      fc.string({ unit: 'binary', maxLength: 300 }).map((s) => ({ body: s, contentType: 'application/x-www-form-urlencoded' })),
      fc.string({ maxLength: 300 }).map((s) => ({ body: s, contentType: 'application/json' })),
      fc.constantFrom<SlackRequest>(
        { body: '', contentType: 'application/json' },
        { body: '', contentType: 'application/x-www-form-urlencoded' },
        { body: 'null', contentType: 'application/json' },
        { body: '[]', contentType: 'application/json' },
        { body: '{"type":"event_callback"}', contentType: 'application/json' },
        { body: '{"type":"event_callback","event":{"type":"app_home_opened"}}', contentType: 'application/json' },
        { body: 'ssl_check=1&token=x', contentType: 'application/x-www-form-urlencoded' },
        { body: 'command=/partner&text=help', contentType: 'application/x-www-form-urlencoded' },
        { body: 'payload={"type":"block_actions"}', contentType: 'application/x-www-form-urlencoded' },
        { body: 'payload={"type":"view_submission","view":{"callback_id":"partner.consult"}}', contentType: 'application/x-www-form-urlencoded' },
        { body: '{"__proto__":{"polluted":1},"type":"event_callback"}', contentType: 'application/json' },
        { body: `{"a":"${'x'.repeat(300_000)}"}`, contentType: 'application/json' },
        { body: '{'.repeat(5000), contentType: 'application/json' },
      ),
    );
    await fc.assert(fc.asyncProperty(body, async (req) => probe(req, () => `${req.contentType} ${req.body.slice(0, 300)}`)), { numRuns: RUNS });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, TIMEOUT);

  it('is still up, answering, and never called off loopback', async () => {
    expect((await fetch(`${w.app.url}/healthz`)).status).toBe(200);
    const from = w.fake.mark();
    const req = w.payloads.command(slackPerson('carol'), 'status');
    expect((await w.slack.post(req)).status).toBe(200);
    await w.fake.waitFor(() => w.fake.since(from).some((c) => c.method === 'response_url'), 'the status reply');
    expect(JSON.stringify(w.fake.since(from))).toContain('Fuzz Partnership');
    expect(guard.blocked).toEqual([]);
  });
});

// ---- Teams ------------------------------------------------------------------------------------------

describe('fuzzing POST /api/messages (authentication off, loopback)', () => {
  let world: TeamsWorld;
  let guard: LoopbackGuard;
  let core: CoreSpy;
  const carol = teamsPerson('carol', 'Carol Chair');
  const alice = teamsPerson('alice', 'Alice');

  beforeAll(async () => {
    guard = guardLoopback();
    world = await startTeamsWorld(new Date('2027-01-04T09:00:00Z'));
    core = spyOnCore(world.app.core);
    await world.say(carol, { kind: 'channel' }, '<at>partnerbot</at> partner setup "Fuzz Teams"');
    await world.say(alice, { kind: 'channel' }, '<at>partnerbot</at> partner join third "Youth Trust"');
    await core.idle();
  });

  afterAll(async () => {
    await world?.stop();
    guard?.restore();
  });

  const seeds = (): unknown[] => {
    const url = world.fake.url;
    return [
      textMessage(carol, { kind: 'channel' }, '<at>partnerbot</at> partner status', url),
      textMessage(alice, { kind: 'personal' }, '/partner help', url),
      textMessage(alice, { kind: 'group' }, '<at>partnerbot</at> partner home', url),
      executeInvoke(alice, { kind: 'channel' }, { verb: 'command', value: 'status' }, url),
      executeInvoke(carol, { kind: 'personal' }, { verb: 'form.consult', title: 'Roads', deadline: '2027-06-30' }, url),
      executeInvoke(alice, { kind: 'channel' }, { verb: 'pulse.answer', value: 'p-aaaaaaaa:trust:4' }, url),
      submitMessage(alice, { kind: 'channel' }, { verb: 'consult.respond', value: 'c-00000000:responded' }, url),
      membersAdded(carol, [teamsPerson('dan', 'Dan')], url),
      installPersonal(alice, url),
    ];
  };

  async function post(body: string, contentType = 'application/json'): Promise<number> {
    const res = await fetch(`${world.app.url}/api/messages`, { method: 'POST', headers: { 'content-type': contentType }, body, signal: AbortSignal.timeout(10_000) });
    await res.text();
    return res.status;
  }

  async function probe(body: string, contentType: string | undefined, what: () => string): Promise<void> {
    const before = await rowCounts(world.app.deps.store as SqlStore);
    core.reset();
    const status = await post(body, contentType);
    expect(status, what()).toBeLessThan(500);
    await core.idle();
    await world.app.core.flush();
    // The conversation book (teams_conversations, teams_users) records who wrote from where before any
    // listener runs, for every activity: an address book, not partnership data. Every other table
    // must be untouched by a request the core did not carry out.
    if (status >= 400 || !core.succeeded) {
      const partnershipData = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).filter(([t]) => !t.startsWith('teams_')));
      const after = partnershipData(await rowCounts(world.app.deps.store as SqlStore));
      const was = partnershipData(before);
      expect(after, what()).toEqual(was);
    }
  }

  it(`mutated real activities (${RUNS} runs): 2xx/4xx, and no partial data`, async () => {
    const all = seeds();
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (which, ms) => {
        const activity = pinUrls(ms.reduce<unknown>((p, m) => applyMutation(p, m), all[which % all.length]), world.fake.url);
        const body = JSON.stringify(activity) ?? 'null';
        await probe(body, 'application/json', () => body.slice(0, 400));
      }),
      { numRuns: RUNS },
    );
  }, TIMEOUT);

  it(`random bodies (${RUNS} runs): 2xx/4xx, and no partial data`, async () => {
    const body = fc.oneof(
      fc.json({ maxDepth: 3 }).map((j) => ({ body: j, type: 'application/json' })),
      fc.record({ type: fc.constantFrom('message', 'invoke', 'conversationUpdate', 'installationUpdate', 'event', 'messageReaction', 'typing', '', 'x'), name: fc.option(fc.constantFrom('adaptiveCard/action', 'task/fetch', 'composeExtension/query', 'signin/verifyState', 'x'), { nil: undefined }), text: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }), value: fc.option(nasty, { nil: undefined }) }).map((a) => ({ body: JSON.stringify(pinUrls({ ...a, serviceUrl: world.fake.url, channelId: 'msteams', conversation: { id: 'a:1x' }, from: { id: '29:x' }, recipient: { id: '28:b' } }, world.fake.url)), type: 'application/json' })),
      fc.string({ maxLength: 200 }).map((s) => ({ body: s, type: 'application/json' })),
      fc.constantFrom(
        { body: '', type: 'application/json' },
        { body: '{', type: 'application/json' },
        { body: 'type=message&text=help', type: 'application/x-www-form-urlencoded' },
        { body: '{"type":"message"}', type: 'text/plain' },
        { body: '{"__proto__":{"polluted":1},"type":"message"}', type: 'application/json' },
        { body: `{"type":"message","text":"${'x'.repeat(600_000)}"}`, type: 'application/json' },
        { body: '['.repeat(5000), type: 'application/json' },
        { body: '{"type":"message","text":"/partner help"}', type: 'application/json; charset=utf-16' },
      ),
    );
    await fc.assert(fc.asyncProperty(body, async ({ body: b, type }) => probe(b, type, () => `${type} ${b.slice(0, 300)}`)), { numRuns: RUNS });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  }, TIMEOUT);

  it('is still up, answering, and never called off loopback', async () => {
    expect((await fetch(`${world.app.url}/healthz`)).status).toBe(200);
    const { calls } = await world.say(carol, { kind: 'channel' }, '<at>partnerbot</at> partner status');
    expect(JSON.stringify(calls)).toContain('Fuzz Teams');
    expect(guard.blocked).toEqual([]);
  });
});
