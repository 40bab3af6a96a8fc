// Secrets never reach the logs (src/bot/logger.ts), and anonymity (c): during a whole voting run at
// trace level, no log line, error reply or metric puts an answer together with a voter.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/bot/app.ts';
import { loadConfig } from '../../src/bot/config.ts';
import { REDACTED, createLogger, scrubSecrets } from '../../src/bot/logger.ts';
import { LocalClient, buttons } from '../e2e/helpers/local-client.ts';

function capture() {
  const lines: string[] = [];
  return { lines, stream: { write: (s: string) => void lines.push(s) } };
}

describe('secrets in logs', () => {
  const SECRETS = {
    slackToken: 'xoxb-1111111111-2222222222-abcdefghijklmnop',
    signing: 's1gn1ng-s3cr3t-value-123',
    teamsPassword: 'teams~app~password~XYZ',
    dbPassword: 'pg-hunter2-password',
    bearer: 'eyJhbGciOiJSUzI1NiJ9.payload.signature',
    partnerbot: 'partnerbot-secret-0123456789',
  };

  it('redacts secret fields at any of the first levels, headers, and secrets inside text', () => {
    const { lines, stream } = capture();
    const log = createLogger({ level: 'trace' }, stream);
    log.info({
      token: SECRETS.slackToken,
      config: { slack: { botToken: SECRETS.slackToken, signingSecret: SECRETS.signing }, teams: { appPassword: SECRETS.teamsPassword }, PARTNERBOT_SECRET: SECRETS.partnerbot },
      req: { headers: { authorization: `Bearer ${SECRETS.bearer}`, 'x-slack-signature': `v0=${SECRETS.signing}` } },
      env: { DATABASE_URL: `postgres://bot:${SECRETS.dbPassword}@db:5432/partnerbot` },
      password: SECRETS.dbPassword,
    }, 'configured');
    log.error({ err: new Error(`could not connect to postgres://bot:${SECRETS.dbPassword}@db:5432/partnerbot`) }, 'database down');
    log.warn(`slack said no to ${SECRETS.slackToken}; Authorization: Bearer ${SECRETS.bearer}`);
    log.child({ secret: SECRETS.partnerbot }).info('child');
    const out = lines.join('');
    expect(lines).toHaveLength(4);
    for (const secret of Object.values(SECRETS)) expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
    // Still useful: the rest of the URL and the message stay.
    expect(out).toContain(`postgres://bot:${REDACTED}@db:5432/partnerbot`);
    expect(out).toContain('database down');
  });

  it('blanks secret fields deeper down, in any casing, inside errors and in the bindings of children of children', () => {
    const { lines, stream } = capture();
    const log = createLogger({ level: 'info' }, stream);
    log.info({ a: { b: { c: { d: { e: { clientSecret: SECRETS.signing, TOKEN: SECRETS.partnerbot } } } } } }, 'deep');
    // An HTTP client's error carries the request it made, Authorization header and all.
    const failed = Object.assign(new Error('request failed'), { config: { headers: { AUTHORIZATION: `Bearer ${SECRETS.bearer}`, 'X-Slack-Signature': SECRETS.signing } }, code: 'E_HTTP' });
    log.error({ err: failed }, 'call failed');
    log.child({ platform: 'teams' }).child({ appPassword: SECRETS.teamsPassword }).warn('grandchild');
    const out = lines.join('');
    expect(lines).toHaveLength(3);
    for (const secret of Object.values(SECRETS)) expect(out).not.toContain(secret);
    const [deep, call, grandchild] = lines.map((l) => JSON.parse(l) as Record<string, any>);
    expect(deep!.a.b.c.d.e).toEqual({ clientSecret: REDACTED, TOKEN: REDACTED });
    // The rest of the error is still there to debug with.
    expect(call!.err).toMatchObject({ type: 'Error', message: 'request failed', code: 'E_HTTP', config: { headers: { AUTHORIZATION: REDACTED } } });
    expect(grandchild).toMatchObject({ platform: 'teams', appPassword: REDACTED, msg: 'grandchild' });
  });

  it('keeps fields that only look a little like secrets', () => {
    const { lines, stream } = capture();
    const log = createLogger({ level: 'info' }, stream);
    log.info({ tokens: 3, passage: 'text', secretariat: 'Org' }, 'kept');
    expect(JSON.parse(lines[0]!)).toMatchObject({ tokens: 3, passage: 'text', secretariat: 'Org' });
  });

  it('scrubSecrets masks URL passwords, Slack tokens and bearer credentials in free text', () => {
    expect(scrubSecrets('postgresql://a:b@c/d and xoxp-123456789-abc')).toBe(`postgresql://a:${REDACTED}@c/d and ${REDACTED}`);
    expect(scrubSecrets('Basic dXNlcjpwYXNzd29yZA==')).toBe(`Basic ${REDACTED}`);
    expect(scrubSecrets('nothing secret here: https://example.org/a@b')).toBe('nothing secret here: https://example.org/a@b');
  });
});

describe('a voting run, logged at trace level', () => {
  const { lines, stream } = capture();
  const VOTERS = ['ann', 'bea', 'cal', 'dev', 'eli', 'fay'];
  const COMMENT = 'the secretariat ignores the community sector';
  let app: App;
  let api: LocalClient;
  let dir: string;
  let pollId: string;
  let metrics = '';
  const replies: { voter: string; text: string }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'partnerbot-logs-'));
    const config = loadConfig({ DATABASE_URL: join(dir, 'bot.sqlite'), PORT: '0', SCHEDULER: 'false', LOG_LEVEL: 'trace', PARTNERBOT_SECRET: 'a-test-secret-of-enough-length' });
    app = await startApp(config, { log: createLogger({ level: 'trace' }, stream) });
    api = new LocalClient(app.url);
    await api.tick('2027-01-04T09:00:00Z');
    await api.command('carol', '/partner setup "Northside CPP"', 'general');
    for (const [i, v] of VOTERS.entries()) await api.command(v, `/partner join ${i % 2 ? 'third' : 'public'} "Org ${v}"`, 'general');
    const started = await api.command('carol', '/partner pulse start short', 'general');
    pollId = /\b(p-[a-z0-9]{8})\b/.exec(JSON.stringify(started))![1]!;
    const trust = buttons(started).filter((b) => b.action.type === 'pulse.answer' && b.action.block === 'trust');
    for (const [i, v] of VOTERS.entries()) {
      const said = [
        ...(await api.press(v, trust[i % 5]!.action, 'general')),
        ...(await api.command(v, `/partner pulse answer openness=${(i % 5) + 1}${i === 2 ? ` comment="${COMMENT}"` : ''}`, 'general')),
        // Mistakes on the way: wrong scores, a block the poll does not ask, a malformed button.
        ...(await api.command(v, '/partner pulse answer trust=9', 'general')),
        ...(await api.command(v, `/partner pulse answer ${pollId} framework=2`, 'general')),
      ];
      replies.push(...said.map((p) => ({ voter: v, text: p.text })));
      const bad = await fetch(`${app.url}/local/actions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: v, action: 'pulse.answer', value: `${pollId}:trust:77` }) });
      expect(bad.status).toBe(200);
      replies.push(...((await bad.json()) as { messages: { text: string }[] }).messages.map((m) => ({ voter: v, text: m.text })));
    }
    await api.command('carol', '/partner results', 'general');
    await api.tick('2027-01-12T09:30:00Z'); // the close job runs and posts the results
    await api.command('carol', `/partner pulse answer ${pollId} trust=3`, 'general'); // too late
    metrics = await (await fetch(`${app.url}/metrics`)).text();
  });

  afterAll(async () => {
    await app?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('logged something (the run was observed)', () => {
    expect(lines.length).toBeGreaterThan(10);
  });

  it('no log line names a voter together with the poll, a score or a comment', () => {
    for (const line of lines) {
      const names = VOTERS.filter((v) => line.includes(`"${v}"`) || new RegExp(`\\b${v}\\b`).test(line));
      if (!names.length) continue;
      expect(line).not.toContain(pollId);
      expect(line).not.toMatch(/trust|openness|score/i);
      expect(line).not.toContain('comment');
    }
    // A comment is anonymous: it is never logged at all.
    expect(lines.join('')).not.toContain(COMMENT);
  });

  it('no error a voter sees speaks of anyone else or of any answer but their own', () => {
    expect(replies.length).toBeGreaterThan(VOTERS.length * 4);
    for (const { voter, text } of replies) {
      for (const v of VOTERS.filter((x) => x !== voter)) expect(text).not.toMatch(new RegExp(`\\b${v}\\b`));
      expect(text).not.toContain(COMMENT);
      expect(text).not.toContain('Something went wrong');
    }
  });

  it('metrics carry no voter, poll or answer', () => {
    for (const v of VOTERS) expect(metrics).not.toMatch(new RegExp(`\\b${v}\\b`));
    expect(metrics).not.toContain(pollId);
    expect(metrics).not.toContain(COMMENT);
  });
});
