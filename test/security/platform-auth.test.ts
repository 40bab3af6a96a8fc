// Requests are who they say they are, for each face of the bot, through the real SDK stacks:
// - Slack: every request to /slack/events must carry Slack's v0 signature of this very body under
//   our signing secret, made within the last five minutes; anything else is a 401, no listener runs,
//   no table changes and nothing reaches Slack.
// - Teams (an app id set): every activity must carry a Bot Framework JWT whose signature, issuer,
//   audience, lifetime and serviceUrl all check out; anything else is a 401 with the same guarantees.
//   The signing keys are our own (the SDK's OpenID key lookup is pointed at them), so the tokens are
//   real RS256 JWTs and no request leaves loopback.
// (The local adapter's own rules: test/security/local-exposure.test.ts.)
import { createSign, generateKeyPairSync, createHmac, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenIdMetadata } from 'botframework-connector/lib/auth/openIdMetadata.js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlStore } from '../../db/store.ts';
import { startApp, type App } from '../../src/bot/app.ts';
import { loadConfig } from '../../src/bot/config.ts';
import { FakeBotConnector } from '../fakes/bot-connector.ts';
import { signature, type SlackRequest } from '../fakes/slack-requests.ts';
import { person as slackPerson, SECRET, startSlackWorld, type SlackWorld } from '../fakes/slack-world.ts';
import { CHANNEL, person as teamsPerson, TeamsClient, TENANT, textMessage } from '../fakes/teams-activities.ts';
import { spyOnCore, type CoreSpy } from './core-spy.ts';
import { guardLoopback, type LoopbackGuard } from './loopback-guard.ts';
import { rowCounts } from './support.ts';

const settle = () => new Promise((r) => setTimeout(r, 150));

// ---- Slack ----------------------------------------------------------------------------------------

describe('Slack: /slack/events takes only requests signed by Slack, recently', () => {
  let w: SlackWorld;
  let guard: LoopbackGuard;
  let core: CoreSpy;
  const carol = slackPerson('carol');
  const nowSec = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    guard = guardLoopback();
    w = await startSlackWorld();
    w.clock.set(new Date('2027-01-04T09:00:00Z'));
    core = spyOnCore(w.app.core);
  });

  afterAll(async () => {
    await w?.stop();
    guard?.restore();
  });

  async function post(req: SlackRequest, headers: Record<string, string>): Promise<number> {
    const res = await fetch(`${w.app.url}/slack/events`, { method: 'POST', headers: { 'content-type': req.contentType, ...headers }, body: req.body, signal: AbortSignal.timeout(10_000) });
    await res.text();
    return res.status;
  }

  /** Requests of every kind that would each change something if they ran. */
  const requests = (): [string, SlackRequest][] => [
    ['a slash command', w.payloads.command(carol, 'setup "Hijacked"')],
    ['a button', w.payloads.action(carol, 'command', 'setup "Hijacked by button"')],
    ['a form', w.payloads.submission(carol, 'partner.consult', { title: { title: { type: 'plain_text_input', value: 'Sneaky' } } })],
    ['an event', w.payloads.event('member-joined-channel', { user: 'U0MALLORY', channel: 'C0NORTH' })],
  ];

  /** Each way of getting it wrong: the headers sent with `body` (which may differ from what was signed). */
  function attacks(req: SlackRequest): [string, string, Record<string, string>][] {
    const ts = nowSec();
    const good = (t: number, body = req.body, secret = SECRET) => signature(secret, t, body);
    // The same body with the command changed: what an attacker who captured one request would try.
    const changed = req.body.includes('Hijacked') ? req.body.replace('Hijacked', 'Changed') : `${req.body} `;
    return [
      ['no signature', req.body, { 'x-slack-request-timestamp': String(ts) }],
      ['no timestamp', req.body, { 'x-slack-signature': good(ts) }],
      ['a garbage signature', req.body, { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': 'v0=0123456789abcdef' }],
      ['an empty signature', req.body, { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': '' }],
      ['a signature made with another secret', req.body, { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': good(ts, req.body, 'another-signing-secret-0000') }],
      ['a signature made with an empty secret', req.body, { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': good(ts, req.body, '') }],
      ['a signature of another timestamp', req.body, { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': good(ts - 1) }],
      ['a timestamp 5 minutes and 1 second old', req.body, { 'x-slack-request-timestamp': String(ts - 301), 'x-slack-signature': good(ts - 301) }],
      ['a timestamp a day old', req.body, { 'x-slack-request-timestamp': String(ts - 86_400), 'x-slack-signature': good(ts - 86_400) }],
      ['a timestamp that is not a number', req.body, { 'x-slack-request-timestamp': 'soon', 'x-slack-signature': good(ts) }],
      ['a replayed signature on a changed body', changed, { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': good(ts) }],
      ['a replayed signature on a body with more appended', `${req.body}&text=setup`, { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': good(ts) }],
      ['the signature in upper case hex', req.body, { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': `v0=${good(ts).slice(3).toUpperCase()}` }],
      ['the hex without its v0 version', req.body, { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': good(ts).slice(3) }],
    ];
  }

  it('answers 401 to every bad, missing or stale signature, and no listener runs, no row is written, nothing reaches Slack', async () => {
    const from = w.fake.mark();
    const before = await rowCounts(w.app.deps.store as SqlStore);
    for (const [kind, req] of requests()) {
      for (const [attack, body, headers] of attacks(req)) {
        expect(await post({ ...req, body }, headers), `${kind} with ${attack}`).toBe(401);
      }
    }
    await settle();
    expect(core.calls).toBe(0);
    expect(w.fake.since(from)).toEqual([]);
    expect(await rowCounts(w.app.deps.store as SqlStore)).toEqual(before);
    expect(guard.blocked).toEqual([]);
  });

  it('takes the same requests when correctly signed, even 4 minutes 50 seconds old (the refusals above are the signature’s doing)', async () => {
    const before = await rowCounts(w.app.deps.store as SqlStore);
    const [, setup] = requests()[0]!;
    const ts = nowSec() - 290;
    expect(await post(setup, { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature(SECRET, ts, setup.body) })).toBe(200);
    await w.fake.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage'), 'the set-up announcement');
    expect(core.calls).toBeGreaterThan(0);
    const after = await rowCounts(w.app.deps.store as SqlStore);
    expect(after.partnerships).toBe(before.partnerships! + 1);
    expect(guard.blocked).toEqual([]);
  });
});

// ---- Teams ----------------------------------------------------------------------------------------

const APP_ID = '5d3f0000-0000-4000-8000-0000000000ab';
const APP_PASSWORD = 'not-a-real-secret-but-long-enough';
const ISSUER = 'https://api.botframework.com';
const KID = 'partnerbot-test-key';

const b64url = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

function rs256(claims: Record<string, unknown>, key: KeyObject, header: Record<string, unknown> = {}): string {
  const head = `${b64url({ alg: 'RS256', typ: 'JWT', kid: KID, ...header })}.${b64url(claims)}`;
  return `${head}.${createSign('RSA-SHA256').update(head).sign(key).toString('base64url')}`;
}

describe('Teams with an app id: every activity carries a valid Bot Framework token', () => {
  const channelKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const otherKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = channelKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const originalGetKey = OpenIdMetadata.prototype.getKey;
  let app: App;
  let fake: FakeBotConnector;
  let client: TeamsClient;
  let dir: string;
  let guard: LoopbackGuard;
  let core: CoreSpy;
  const carol = teamsPerson('carol', 'Carol Chair');

  beforeAll(async () => {
    guard = guardLoopback();
    // The Bot Connector's signing key, as its OpenID metadata would publish it (endorsed for Teams).
    OpenIdMetadata.prototype.getKey = async (kid: string) => (kid === KID ? { key: publicPem, endorsements: ['msteams'] } : null);
    fake = await new FakeBotConnector().start();
    dir = mkdtempSync(join(tmpdir(), 'partnerbot-auth-'));
    const config = loadConfig({
      DATABASE_URL: join(dir, 'bot.sqlite'),
      PORT: '0',
      SCHEDULER: 'false',
      LOG_LEVEL: 'silent',
      MICROSOFT_APP_ID: APP_ID,
      MICROSOFT_APP_PASSWORD: APP_PASSWORD,
      MICROSOFT_APP_TYPE: 'SingleTenant',
      MICROSOFT_APP_TENANT_ID: TENANT,
    });
    app = await startApp(config, { log: pino({ level: 'silent' }) });
    client = new TeamsClient(app.url);
    core = spyOnCore(app.core);
  });

  afterAll(async () => {
    await app?.stop();
    await fake?.stop();
    OpenIdMetadata.prototype.getKey = originalGetKey;
    guard?.restore();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const nowSec = () => Math.floor(Date.now() / 1000);
  const claims = (over: Record<string, unknown> = {}) => ({ iss: ISSUER, aud: APP_ID, serviceurl: fake.url, nbf: nowSec() - 60, exp: nowSec() + 3600, ...over });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  function forgeries(): [string, Record<string, string>][] {
    const [h, p] = rs256(claims(), channelKeys.privateKey).split('.');
    const hs = `${b64url({ alg: 'HS256', typ: 'JWT', kid: KID })}.${b64url(claims())}`;
    return [
      ['no Authorization header', {}],
      ['a Basic header', { authorization: 'Basic Y2Fyb2w6cGFzcw==' }],
      ['a bearer that is not a JWT', bearer('not-a-token')],
      ['a token signed by another key', bearer(rs256(claims(), otherKeys.privateKey))],
      ['a token with its signature removed', bearer(`${h}.${p}.`)],
      ['an unsigned token (alg none)', bearer(`${b64url({ alg: 'none', typ: 'JWT', kid: KID })}.${p}.`)],
      ['a token signed with the app password (HS256)', bearer(`${hs}.${createHmac('sha256', APP_PASSWORD).update(hs).digest('base64url')}`)],
      ['a token from a key nobody published', bearer(rs256(claims(), otherKeys.privateKey, { kid: 'unknown-key' }))],
      ['a token for another app', bearer(rs256(claims({ aud: '00000000-0000-4000-8000-000000000bad' }), channelKeys.privateKey))],
      ['a token from another issuer', bearer(rs256(claims({ iss: 'https://evil.example/' }), channelKeys.privateKey))],
      ['an expired token', bearer(rs256(claims({ nbf: nowSec() - 7200, exp: nowSec() - 3600 }), channelKeys.privateKey))],
      ['a token not valid yet', bearer(rs256(claims({ nbf: nowSec() + 3600, exp: nowSec() + 7200 }), channelKeys.privateKey))],
      ['a token for another serviceUrl', bearer(rs256(claims({ serviceurl: 'http://127.0.0.1:9/' }), channelKeys.privateKey))],
    ];
  }

  it('answers 401 to every missing or forged token, and nothing runs, nothing is stored, nothing is sent', async () => {
    const before = await rowCounts(app.deps.store as SqlStore);
    for (const [what, headers] of forgeries()) {
      const setup = textMessage(carol, { kind: 'channel' }, '<at>partnerbot</at> partner setup "Hijacked"', fake.url);
      const help = textMessage(carol, { kind: 'personal' }, '/partner help', fake.url);
      for (const activity of [setup, help]) expect((await client.post(activity, headers)).status, what).toBe(401);
    }
    await settle();
    await app.core.flush();
    expect(core.calls).toBe(0);
    expect(fake.calls).toEqual([]);
    expect(await rowCounts(app.deps.store as SqlStore)).toEqual(before);
    expect(await app.deps.store.partnershipByChannel({ platform: 'teams', workspace: TENANT, channel: CHANNEL })).toBeNull();
    expect(guard.blocked).toEqual([]);
  });

  it('takes an activity with a valid token (the refusals above are the token check’s doing)', async () => {
    const before = await rowCounts(app.deps.store as SqlStore);
    // A message with no command: the bot records the conversation and answers nothing (no outgoing call needs a token of ours).
    const quiet = textMessage(carol, { kind: 'personal' }, '   ', fake.url);
    expect((await client.post(quiet, bearer(rs256(claims(), channelKeys.privateKey)))).status).toBe(200);
    const after = await rowCounts(app.deps.store as SqlStore);
    expect(after).not.toEqual(before);
    expect(guard.blocked).toEqual([]);
  });
});
