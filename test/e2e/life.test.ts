// A whole partnership life through the local adapter over HTTP on loopback: the real app (store,
// handlers, scheduler, dispatcher, server) with only the clock moved by /local/tick.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../../src/bot/app.ts';
import { loadConfig } from '../../src/bot/config.ts';
import type { Action, PulseBlock } from '../../src/domain/message.ts';
import { buttons, LocalClient, texts, type Posted } from './helpers/local-client.ts';

const CH = 'northside';
let app: App;
let api: LocalClient;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'partnerbot-life-'));
  const config = loadConfig({ DATABASE_URL: join(dir, 'bot.sqlite'), PORT: '0', SCHEDULER: 'false', LOG_LEVEL: 'silent' });
  app = await startApp(config, { log: pino({ level: 'silent' }) });
  api = new LocalClient(app.url);
  // Start the story on Monday 4 January 2027, 09:00 London (GMT).
  await api.tick('2027-01-04T09:00:00Z');
});

afterAll(async () => {
  if (process.env.DUMP) { const fs = await import('node:fs'); fs.writeFileSync('/tmp/dump.txt', texts(await api.channel(CH)) + '\n=====DMS carol\n' + texts(await api.dms('carol')) + '\n=====DMS frank\n' + texts(await api.dms('frank'))); }
  await app?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function consultAction(posted: Posted[], kind: 'responded' | 'more_time' | 'not_relevant'): Action {
  const found = buttons(posted).find((b) => b.action.type === 'consult.respond' && b.action.kind === kind);
  if (!found) throw new Error(`no ${kind} button in:\n${texts(posted)}`);
  return found.action;
}

function pollButton(posted: Posted[], block: PulseBlock, score: number): Action {
  const found = buttons(posted).find((b) => b.action.type === 'pulse.answer' && b.action.block === block && b.action.score === score);
  if (!found) throw new Error(`no ${block}=${score} button in:\n${texts(posted)}`);
  return found.action;
}

function idIn(text: string, prefix: string): string {
  const m = new RegExp(`\\b(${prefix}-[a-z0-9]{8})\\b`).exec(text);
  if (!m) throw new Error(`no ${prefix}- id in:\n${text}`);
  return m[1]!;
}

const PEOPLE: [string, string, string][] = [
  ['alice', 'third', 'Northside Foodbank'],
  ['bob', 'private', 'Acme Builders'],
  ['dan', 'community', 'Northside Residents'],
  ['erin', 'third', 'Youth Trust'],
  ['frank', 'public', 'NHS Northside'],
  ['gina', 'private', 'Chamber of Commerce'],
];

describe('a partnership life on the local adapter', () => {
  let consultationId = '';

  it('sets up a partnership whose members come from three sectors and get a welcome', async () => {
    const setup = await api.command('carol', '/partner setup "Northside CPP" purpose="Better outcomes for Northside"', CH);
    expect(texts(setup)).toMatch(/Northside CPP is set up/);
    // Automatic monthly polls would interleave with the story's own polls.
    await api.command('carol', '/partner settings pulse=off', CH);
    await api.command('carol', '/partner join public "Northside Council"', CH);
    for (const [user, sector, org] of PEOPLE) {
      const joined = await api.command(user, `/partner join ${sector} "${org}"`, CH);
      expect(texts(joined)).toContain(`${user} from ${org}`);
    }
    const welcome = await api.dms('alice');
    expect(texts(welcome)).toMatch(/Welcome to Northside CPP/);
    expect(texts(welcome)).toMatch(/Better outcomes for Northside/);

    await api.command('carol', '/partner role frank member,chair', CH);
    const members = await api.command('frank', '/partner members', CH);
    expect(members[0]!.user).toBe('frank'); // private
    expect(texts(members)).toMatch(/third sector \(2\)/);
    expect(texts(members)).toMatch(/private sector \(2\)/);
    expect(texts(members)).toMatch(/community \(1\)/);
  });

  it('refuses a member who tries a coordinator command, with a clear reason', async () => {
    const denied = await api.command('bob', '/partner consult "Sneaky" by 2027-06-01', CH);
    expect(denied[0]!.user).toBe('bob');
    expect(texts(denied)).toMatch(/Only a coordinator can open a consultation/);
  });

  it('opens a consultation, flags the short notice, and takes answers of all three kinds', async () => {
    const opened = await api.command('carol', '/partner consult "Draft local plan" by 2027-02-26 link https://example.org/plan', CH);
    const announcement = opened.filter((p) => p.channel === CH);
    expect(texts(announcement)).toMatch(/Draft local plan/);
    const warning = opened.filter((p) => p.user === 'carol');
    expect(texts(warning)).toMatch(/12 weeks/);
    consultationId = idIn(texts(announcement), 'c');

    const home = await api.command('erin', '/partner home');
    expect(home[0]!.user).toBe('erin');
    expect(texts(home)).toMatch(/Waiting for your answer: Draft local plan/);
    expect(buttons(home).some((b) => b.action.type === 'consult.respond')).toBe(true);

    const yes = await api.press('alice', consultAction(announcement, 'responded'), CH);
    expect(texts(yes)).toMatch(/you have responded/);
    await api.press('bob', consultAction(announcement, 'more_time'), CH);
    await api.press('dan', consultAction(announcement, 'not_relevant'), CH);
    expect(texts(await api.dms('carol'))).toMatch(/bob \(Acme Builders\) needs more time for Draft local plan/);
  });

  it('nudges only those who have not answered, at 09:30 London time on the working day 14 days before', async () => {
    const early = await api.tick('2027-02-12T09:29:00Z');
    expect(texts(early)).not.toMatch(/Consultation reminder/);
    const due = await api.tick('2027-02-12T09:30:00Z');
    const nudged = due.filter((p) => /Consultation reminder/.test(p.text)).map((p) => p.user).sort();
    expect(nudged).toEqual(['carol', 'erin', 'frank', 'gina']);
    expect(texts(await api.dms('erin'))).toMatch(/14 days left/);
  });

  it('posts the Monday digest at 09:00 with what is due and how many answered', async () => {
    const monday = await api.tick('2027-02-15T09:00:00Z');
    const digest = monday.filter((p) => p.channel === CH);
    expect(digest).toHaveLength(1);
    expect(digest[0]!.text).toMatch(/Draft local plan/);
    expect(digest[0]!.text).toMatch(/3 of 7/);
  });

  it('keeps nudging on the plan (7, 2 and 0 days before), never after the deadline', async () => {
    await api.command('erin', `/partner respond ${consultationId} done`, CH);
    for (const [at, left] of [['2027-02-19T09:30:00Z', /7 days left/], ['2027-02-24T09:30:00Z', /2 days left/], ['2027-02-26T09:30:00Z', /due today/]] as const) {
      const sent = (await api.tick(at)).filter((p) => /Consultation reminder/.test(p.text));
      expect(sent.map((p) => p.user).sort()).toEqual(['carol', 'frank', 'gina']);
      expect(texts(sent)).toMatch(left);
    }
  });

  it('after the deadline asks the coordinator for feedback, chases it, and posts it to responders', async () => {
    const closed = await api.tick('2027-02-27T00:00:00Z');
    expect(texts(closed)).not.toMatch(/Consultation reminder/);
    expect(texts(closed.filter((p) => p.user === 'carol'))).toMatch(/what did you do with the responses/);

    const chased = await api.tick('2027-03-05T09:30:00Z');
    expect(texts(chased.filter((p) => p.user === 'carol'))).toMatch(/Feedback still owed/);

    await api.command('carol', `/partner feedback ${consultationId} We added a youth centre and moved the bus route`, CH);
    const channel = texts(await api.channel(CH));
    expect(channel).toMatch(/You said, we did/);
    expect(texts(await api.dms('alice'))).toMatch(/We added a youth centre/);
    expect(texts(await api.dms('erin'))).toMatch(/We added a youth centre/);
    expect(texts(await api.dms('bob'))).not.toMatch(/We added a youth centre/);
  });

  async function runPoll(voters: string[]): Promise<string> {
    const started = await api.command('carol', '/partner pulse start short days=3', CH);
    const poll = started.filter((p) => p.channel === CH);
    expect(buttons(poll).length).toBeGreaterThanOrEqual(10);
    voters.forEach((_, i) => i);
    for (const [i, voter] of voters.entries()) {
      const ack = await api.press(voter, pollButton(poll, 'trust', 1 + (i % 5)), CH);
      expect(ack[0]!.user).toBe(voter);
      expect(texts(ack)).toMatch(/anonymous/i);
      await api.press(voter, pollButton(poll, 'openness', 5 - (i % 3)), CH);
    }
    const closed = await api.command('carol', '/partner pulse close', CH);
    const results = closed.filter((p) => p.channel === CH);
    return texts(results.length ? results : await api.channel(CH));
  }

  it('shows pulse results when 6 answered, and hides them when only 4 did', async () => {
    const six = await runPoll(['alice', 'bob', 'dan', 'erin', 'frank', 'gina']);
    expect(six).toMatch(/[Mm]edian/);
    const four = await runPoll(['alice', 'bob', 'dan', 'erin']);
    expect(four).toMatch(/at least 5/);
    expect(four).not.toMatch(/[Mm]edian/);
  });

  it('reminds the chair of the review at 09:30 BST with the review pack, and the pack asks continue, change or wind up', async () => {
    const set = await api.command('frank', '/partner review set 2027-04-30', CH);
    expect(texts(set)).toMatch(/30 Apr 2027/);
    // 30 days before is Wed 31 March 2027, after the clocks went forward: 09:30 BST is 08:30Z.
    expect(texts(await api.tick('2027-03-31T08:29:00Z'))).not.toMatch(/[Rr]eview/);
    const reminded = await api.tick('2027-03-31T08:30:00Z');
    const chairs = reminded.filter((p) => /[Rr]eview/.test(p.text)).map((p) => p.user).sort();
    expect(chairs).toEqual(['carol', 'frank']);
    const pack = await api.command('frank', '/partner review pack', CH);
    expect(pack[0]!.user).toBe('frank');
    expect(texts(pack)).toMatch(/Draft local plan/);
    expect(buttons(pack).map((b) => b.label.toLowerCase()).join(' ')).toMatch(/continue.*change.*wind/);
  });

  it('answers bad input with a specific error and no stack trace', async () => {
    const bad = await api.command('carol', '/partner consult "x" by the 45th of Smarch', CH);
    expect(texts(bad)).toMatch(/45th of Smarch/);
    expect(bad[0]!.message?.error).toBe(true); // forms show refusals on the form
    expect(texts(bad)).not.toMatch(/at .*\.ts:\d+/);
    const res = await fetch(`${app.url}/local/commands`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"user":' });
    expect(res.status).toBe(400);
  });
});
