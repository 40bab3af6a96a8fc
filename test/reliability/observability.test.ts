// Observability: every request has an id (echoed, and on every log line written while serving it),
// GET /metrics speaks Prometheus, logs hold no secrets or personal answers, and malformed payloads
// get a 400 without hurting the process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/bot/app.ts';
import { loadConfig } from '../../src/bot/config.ts';
import { createLogger } from '../../src/bot/logger.ts';
import { requestMixin } from '../../src/bot/server.ts';
import { LocalClient, buttons } from '../e2e/helpers/local-client.ts';

const SECRET = 'observability-secret-never-logged';
const COMMENT = 'The chair ignores what the council says';
const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});

let dir: string;
let app: App;
let api: LocalClient;
let now = Date.parse('2027-01-04T10:00:00Z');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'partnerbot-obs-'));
  const config = loadConfig({ DATABASE_URL: join(dir, 'obs.sqlite'), PARTNERBOT_SECRET: SECRET, PORT: '0', SCHEDULER: 'false' });
  const log = createLogger({ level: 'trace', mixin: requestMixin }, sink);
  app = await startApp(config, { log, clock: { now: () => new Date(now) } });
  api = new LocalClient(app.url);
});

afterAll(async () => {
  await app?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const logText = () => JSON.stringify(lines);

describe('observability', () => {
  it('gives every request an id, echoes a sane one, and puts it on the log lines of that request', async () => {
    const mine = await fetch(`${app.url}/local/commands`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-abc.123' },
      body: JSON.stringify({ user: 'carol', channel: 'general', text: '/partner setup "Obs" purpose="Watching"' }),
    });
    expect(mine.headers.get('x-request-id')).toBe('trace-abc.123');
    const line = lines.find((l) => l.msg === 'request' && l.reqId === 'trace-abc.123');
    expect(line).toMatchObject({ method: 'POST', route: '/local/commands', status: 200 });
    expect(line).not.toHaveProperty('body');
    expect(line).not.toHaveProperty('headers');

    const odd = await fetch(`${app.url}/healthz`, { headers: { 'x-request-id': 'not a sane id; drop table' } });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const other = await fetch(`${app.url}/local/channels/general/messages`);
    expect(other.headers.get('x-request-id')).not.toBe(odd.headers.get('x-request-id'));
    // The route pattern, not the path: no channel or user names in logs and metric labels.
    expect(lines.find((l) => l.reqId === other.headers.get('x-request-id') && l.msg === 'request')).toMatchObject({ route: '/local/channels/:channel/messages' });
  });

  it('logs no secret and no personal answer, whatever the level', async () => {
    await api.command('carol', '/partner settings pulse=off', 'general');
    for (const user of ['ann', 'bob', 'dan', 'erin', 'fay']) await api.command(user, '/partner join third "Org"', 'general');
    const started = await api.command('carol', '/partner pulse start short days=3', 'general');
    const trust = buttons(started).find((b) => b.action.type === 'pulse.answer' && b.action.block === 'trust' && b.action.score === 2);
    expect(trust).toBeDefined();
    await api.press('ann', trust!.action, 'general');
    await api.command('bob', `/partner pulse answer trust=4 openness=2 comment="${COMMENT}"`, 'general');
    const [pid] = await app.deps.store.activePartnershipIds();
    const [poll] = await app.deps.store.polls(pid!);
    expect(await app.deps.store.comments(poll!.id)).toEqual([COMMENT]); // it was taken, so its absence below means something
    expect(await app.deps.store.ballotCount(poll!.id)).toBe(2);
    now += 60_000;
    await api.tick(new Date(now).toISOString());
    await api.command('ann', '/partner consult "Secret plan" by 2027-06-30', 'general'); // refused: not a coordinator
    expect(lines.length).toBeGreaterThan(10);
    const text = logText();
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(COMMENT);
    expect(text).not.toMatch(/"score"|pulse\.answer/);
    expect(text).not.toContain('Secret plan');
  });

  it('serves Prometheus metrics: requests, outbox depth, sends, retries, dead letters, tick duration', async () => {
    await api.tick(new Date(now).toISOString());
    const res = await fetch(`${app.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const body = await res.text();
    expect(body).toMatch(/partnerbot_http_requests_total\{method="POST",route="\/local\/commands",status="200"\} \d+/);
    expect(body).toMatch(/partnerbot_outbox_depth\{status="pending"\} \d+/);
    expect(body).toMatch(/partnerbot_outbox_depth\{status="dead"\} 0/);
    expect(body).toMatch(/partnerbot_outbox_sends_total\{platform="local",outcome="sent"\} [1-9]\d*/);
    expect(body).toMatch(/# TYPE partnerbot_outbox_retries_total counter/);
    expect(body).toMatch(/# TYPE partnerbot_outbox_dead_letters_total counter/);
    expect(body).toMatch(/partnerbot_tick_duration_seconds_count [1-9]\d*/);
    expect(body).toMatch(/partnerbot_process_cpu_seconds_total/);
  });

  it('answers malformed payloads with 400 and keeps serving', async () => {
    const post = (body: string, type = 'application/json') => fetch(`${app.url}/local/commands`, { method: 'POST', headers: { 'content-type': type }, body });
    expect((await post('{"user": "carol", "text": ')).status).toBe(400);
    expect((await post('[1,2,3]')).status).toBe(400);
    expect((await post('{"user": 42, "text": null}')).status).toBe(400);
    expect((await post('user=carol', 'application/x-www-form-urlencoded')).status).toBe(400);
    expect((await post('x'.repeat(200_000))).status).toBe(413);
    const actions = await fetch(`${app.url}/local/actions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user":"ann","action":"pulse.answer","value":"\\u0000garbage"}' });
    expect(actions.status).toBeLessThan(500);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });
});
