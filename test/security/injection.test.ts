// Injection: hostile names, organisations, titles, comments and feedback go in through the local
// adapter over HTTP, on SQLite and on PostgreSQL, are stored exactly (SQL only through Kysely's
// parameters: no table dropped, nothing deleted) and come back inert: in the neutral model only ever
// inside user spans (which Slack and Teams escape), and in the local text with no control or bidi
// characters that could fake lines or reorder what others read.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../../db/testing.ts';
import { startApp, type App } from '../../src/bot/app.ts';
import { loadConfig } from '../../src/bot/config.ts';
import type { Message, Span } from '../../src/domain/message.ts';
import { LocalClient, type Posted } from '../e2e/helpers/local-client.ts';
import { DIALECTS, rowCounts } from './support.ts';

const HOSTILE = [
  "'; DROP TABLE members; --",
  "Robert'); DELETE FROM poll_answers WHERE 1=1; --",
  '<!channel> <!here> @here @channel <@U123|boss> <#C999|general>',
  '*bold* _it_ ~gone~ `code` [click](https://evil.example/a) <https://evil.example/b|totally safe>',
  '\u202Eevil\u202C \u2066isolate\u2069 zero\u200Bwidth',
  'line one\nline two\r\n== fake heading ==',
  '{kind:buttons} {{adaptive}} ${root} </at> <at>Boss</at>',
  // PostgreSQL text cannot hold NUL: it must be dropped before it gets there, not crash the command.
  'nul\u0000byte \u0007bell \u001b[31mred',
];
const LONG = `${'Ω'.repeat(95)}\u202Eend`;

/** Fragments of the hostile texts that none of the bot's own wording contains. */
const MARKERS = ['DROP TABLE', 'DELETE FROM', '@channel', '@here', '@boss', 'evil.example', '\u202E', 'zero', 'line two', '{{adaptive}}', 'ΩΩΩ', 'nulbyte'];

/** Every string a message shows, split into text the bot wrote and text a person wrote. */
function strings(m: Message): { ours: string[]; theirs: string[] } {
  // Headings are left out: some carry a partnership's name ("Members of …"), so every renderer
  // shows them as plain text (the local one cleans them like user text: see the next test).
  const ours: string[] = [];
  const theirs: string[] = [];
  const spans = (text: Span[]) => text.forEach((s) => (s.user ? theirs : ours).push(s.text));
  for (const bl of m.blocks) {
    if (bl.kind === 'text' || bl.kind === 'context') spans(bl.text);
    else if (bl.kind === 'choice') spans(bl.label);
    else if (bl.kind === 'fields') bl.fields.forEach((f) => (ours.push(f.label), spans(f.value)));
    else if (bl.kind === 'buttons') bl.buttons.forEach((b) => ours.push(b.label));
    else if (bl.kind === 'bars') ours.push(bl.label, ...bl.bars.map((x) => x.label));
    else if (bl.kind === 'link') ours.push(bl.label);
    else if (bl.kind === 'file') ours.push(bl.name, bl.title ?? '');
  }
  return { ours, theirs };
}

async function postgresUrl(): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `inj_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    url,
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}

describe.each(DIALECTS)('hostile text end to end on $name', ({ name }) => {
  let app: App;
  let api: LocalClient;
  let cleanup: () => Promise<void>;
  const seen: Posted[] = [];
  let consultationIds: string[] = [];

  const say = async (user: string, text: string) => {
    const out = await api.command(user, text, 'general');
    seen.push(...out);
    return out;
  };

  beforeAll(async () => {
    let databaseUrl: string;
    if (name === 'postgres') {
      const pgDb = await postgresUrl();
      databaseUrl = pgDb.url;
      cleanup = pgDb.drop;
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'partnerbot-inj-'));
      databaseUrl = join(dir, 'bot.sqlite');
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
    const config = loadConfig({ DATABASE_URL: databaseUrl, PORT: '0', SCHEDULER: 'false', LOG_LEVEL: 'silent', PARTNERBOT_SECRET: 'injection-test-secret-0123' });
    app = await startApp(config, { log: pino({ level: 'silent' }) });
    api = new LocalClient(app.url);
    await api.tick('2027-01-04T09:00:00Z');
    await say('carol', `/partner setup "${HOSTILE[0]} \u202Erev"`); // bidi in a name that headings carry
    for (const [i, h] of [...HOSTILE, LONG].entries()) {
      await say(`u${i}`, `/partner join third "${h}" name="${h}"`);
      await say('carol', `/partner consult "${h}" by 2027-06-30 anyway`);
    }
    await say('carol', '/partner members');
    await say('carol', '/partner consult list');
    await say('carol', '/partner pulse start short');
    for (const [i, h] of HOSTILE.entries()) await say(`u${i}`, `/partner pulse answer trust=4 comment="${h}"`);
    seen.push(...(await api.tick('2027-01-12T09:30:00Z')));
    await say('carol', '/partner results by sector');
    seen.push(...(await api.tick('2027-07-01T10:00:00Z')));
    consultationIds = [...new Set([...JSON.stringify(seen).matchAll(/\b(c-[a-z0-9]{8})\b/g)].map((m) => m[1]!))];
    for (const [i, id] of consultationIds.entries()) await say('carol', `/partner feedback ${id} ${HOSTILE[i % HOSTILE.length]}`);
    await say('carol', '/partner audit 200');
    await say('carol', '/partner export partnership');
    seen.push(...(await api.channel('general')));
    for (let i = 0; i <= HOSTILE.length; i++) seen.push(...(await api.dms(`u${i}`)));
  }, 120_000); // a whole partnership's life, on a loaded machine

  afterAll(async () => {
    await app?.stop();
    await cleanup?.();
  });

  it('went through: every command was accepted and the texts came back', () => {
    expect(consultationIds.length).toBe(HOSTILE.length + 1);
    expect(seen.length).toBeGreaterThan(40);
    const theirs = seen.flatMap((p) => (p.message ? strings(p.message).theirs : [])).join('\n');
    for (const marker of MARKERS) expect(theirs).toContain(marker);
    expect(JSON.stringify(seen)).not.toContain('Something went wrong');
  });

  it('SQL stayed SQL: no table dropped, nothing deleted, the texts stored as written', async () => {
    const counts = await rowCounts(app.deps.store as never);
    expect(counts.members).toBe(HOSTILE.length + 2);
    expect(counts.poll_answers).toBe(HOSTILE.length); // sealed at close, every ballot still there
    expect(counts.consultations).toBe(HOSTILE.length + 1);
    const members = await app.deps.store.members((await app.deps.store.activePartnershipIds())[0]!);
    expect(members.map((m) => m.name)).toContain("'; DROP TABLE members; --");
    expect(members.map((m) => m.organisation)).toContain("Robert'); DELETE FROM poll_answers WHERE 1=1; --");
    expect(members.map((m) => m.name)).toContain(LONG);
  });

  it('a person’s text appears only inside user spans: never as the bot’s own text, labels or buttons', () => {
    for (const p of seen) {
      if (!p.message) continue;
      const ours = strings(p.message).ours.join('\n');
      for (const marker of MARKERS) expect(ours, `in ${p.text.slice(0, 80)}`).not.toContain(marker);
    }
  });

  it('the local text shows no control or bidi characters, so nobody can fake lines or reorder text', () => {
    // What the bot rendered (records of what people typed, kept raw by the inbox, are not its output).
    for (const p of seen.filter((x) => x.message)) {
      expect(p.text).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/);
      expect(p.text).not.toMatch(/\n(line two|== fake heading ==)/);
    }
  });

  it('the export carries the exact texts back as data', () => {
    const file = seen.flatMap((p) => p.message?.blocks ?? []).find((bl) => bl.kind === 'file' && bl.name.includes('partnership'));
    expect(file).toBeDefined();
    const data = JSON.parse((file as { content: string }).content) as { members: { name: string }[] };
    expect(data.members.map((m) => m.name)).toEqual(expect.arrayContaining([HOSTILE[0], LONG]));
  });
});
