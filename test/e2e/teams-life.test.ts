// A whole partnership life through Microsoft Teams (the Foundation's life test, once more): the real
// app and the real teams-ai stack, real-shaped activities posted to /api/messages, and everything the
// bot sends checked at a fake Bot Connector on loopback. The scheduler runs on a simulated clock.
// Gina never installs the app for herself: whatever is meant for her alone reaches her as an
// @mention in the partnership's channel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callText, cardText, type ConnectorCall } from '../fakes/bot-connector.ts';
import { CHANNEL, installPersonal, person, personalChatOf, type TeamsPerson, type Where } from '../fakes/teams-activities.ts';
import { actions, callsText, inChannel, inChat, posted, type CardAction } from '../fakes/teams-calls.ts';
import { startTeamsWorld, type TeamsWorld } from '../fakes/teams-world.ts';

const CH: Where = { kind: 'channel' };
const DM: Where = { kind: 'personal' };
const AT = '<at>partnerbot</at> ';

const carol = person('carol', 'Carol Council');
const alice = person('alice', 'Alice Foodbank');
const bob = person('bob', 'Bob Builder');
const dan = person('dan', 'Dan Residents');
const erin = person('erin', 'Erin Youth');
const frank = person('frank', 'Frank NHS');
const gina = person('gina', 'Gina Chamber');
const PEOPLE: [TeamsPerson, string, string][] = [
  [alice, 'third', 'Northside Foodbank'],
  [bob, 'private', 'Acme Builders'],
  [dan, 'community', 'Northside Residents'],
  [erin, 'third', 'Youth Trust'],
  [frank, 'public', 'NHS Northside'],
  [gina, 'private', 'Chamber of Commerce'],
];
const VOTERS = [alice, bob, dan, erin, frank, gina];

let w: TeamsWorld;

beforeAll(async () => {
  // Monday 4 January 2027, 09:00 London (GMT).
  w = await startTeamsWorld(new Date('2027-01-04T09:00:00Z'));
});

afterAll(async () => {
  await w?.stop();
});

const say = (p: TeamsPerson, text: string) => w.say(p, CH, AT + text);
const withText = (calls: ConnectorCall[], pattern: RegExp) => posted(calls).filter((c) => pattern.test(callText(c)));
const where = (calls: ConnectorCall[]) => calls.map((c) => c.conversationId).sort();
/** The text of the card an Action.Execute was answered with (it replaces the card for the presser only). */
const refreshed = (body: any) => cardText(body.value);

function action(found: CardAction[], predicate: (a: CardAction) => boolean, what: string): Record<string, unknown> {
  const a = found.find(predicate);
  if (!a) throw new Error(`no ${what} button among ${JSON.stringify(found.map((x) => x.title))}`);
  return a.data;
}

/** A mention of Gina in the channel, with its entity naming her per-bot id (what Teams notifies her by). */
function expectGinaMentioned(call: ConnectorCall): void {
  expect(call.conversationId).toBe(CHANNEL);
  expect(call.body.text).toContain('<at>Gina Chamber</at>');
  expect(call.body.entities).toEqual([{ type: 'mention', text: '<at>Gina Chamber</at>', mentioned: { id: gina.id, name: 'Gina Chamber' } }]);
}

describe('a partnership life on Microsoft Teams', () => {
  let consultationId = '';

  it('sets up a partnership in a Teams channel; members of three sectors join and are welcomed 1:1, or @mentioned without a chat', async () => {
    // Everyone but Gina has installed the app for themselves: their personal chats exist.
    for (const p of [carol, alice, bob, dan, erin, frank]) {
      const installed = await w.exchange(installPersonal(p, w.fake.url));
      expect(callsText(inChat(installed.calls, personalChatOf(p)))).toMatch(/not in a partnership yet/);
    }

    const setup = await say(carol, 'partner setup "Northside CPP" purpose="Better outcomes for Northside"');
    expect(callsText(inChannel(setup.calls))).toMatch(/Northside CPP is set up/);
    // Automatic monthly polls would interleave with the story's own polls.
    await say(carol, '/partner settings pulse=off');
    await say(carol, 'partner join public "Northside Council"');

    for (const [p, sector, org] of PEOPLE) {
      const joined = await say(p, `partner join ${sector} "${org}"`);
      expect(callsText(inChannel(joined.calls))).toContain(`${p.name} from ${org}`);
      const welcome = withText(joined.calls, /Welcome to Northside CPP/);
      expect(welcome).toHaveLength(1);
      expect(callText(welcome[0]!)).toMatch(/Better outcomes for Northside/);
      if (p === gina) {
        expectGinaMentioned(welcome[0]!);
        // Nothing opened a chat with her behind her back: the fallback stays the only way to reach her.
        expect(joined.calls.some((c) => c.op === 'createConversation')).toBe(false);
      } else {
        expect(welcome[0]!.conversationId).toBe(personalChatOf(p));
        expect(welcome[0]!.body.entities ?? []).toEqual([]);
      }
    }

    // In Teams a person is named by @mentioning them.
    const role = await say(carol, '/partner role <at>Frank NHS</at> member,chair');
    expect(callsText(posted(role.calls))).toMatch(/Frank NHS is now member, chair of Northside CPP/);
    const members = await say(frank, 'partner members');
    expect(inChannel(members.calls)).toEqual([]);
    const list = callsText(inChat(members.calls, personalChatOf(frank)));
    expect(list).toMatch(/third sector \(2\)/);
    expect(list).toMatch(/private sector \(2\)/);
    expect(list).toMatch(/community \(1\)/);
  });

  it('refuses a member who tries a coordinator command, in their own chat only', async () => {
    const denied = await say(bob, 'partner consult "Sneaky" by 2027-06-01');
    expect(inChannel(denied.calls)).toEqual([]);
    expect(callsText(inChat(denied.calls, personalChatOf(bob)))).toMatch(/Only a coordinator can open a consultation/);
  });

  it('opens a consultation (the short-notice warning is for the coordinator only) and takes answers of all three kinds by Action.Execute', async () => {
    const opened = await say(carol, 'partner consult "Draft local plan" by 2027-02-26 link https://example.org/plan');
    const announcement = inChannel(opened.calls);
    expect(announcement).toHaveLength(1);
    expect(callText(announcement[0]!)).toMatch(/Draft local plan/);
    expect(callText(announcement[0]!)).not.toMatch(/12 weeks/);
    consultationId = /\bc-[a-z0-9]{8}\b/.exec(callText(announcement[0]!))![0];
    const warning = withText(opened.calls, /12 weeks/);
    expect(where(warning)).toEqual([personalChatOf(carol)]);

    const respond = actions(announcement).filter((a) => a.verb === 'consult.respond');
    expect(respond.map((a) => a.title)).toEqual(['We have responded', 'Need more time', 'Not relevant to us']);
    for (const [p, i, said] of [
      [alice, 0, /you have responded/],
      [bob, 1, /you need more time/],
      [dan, 2, /not relevant to you/],
    ] as const) {
      const pressed = await w.execute(p, CH, respond[i]!.data);
      // The card refreshes for the presser alone: the invoke's answer, with nothing posted or updated for others.
      expect(pressed.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
      expect(refreshed(pressed.body)).toMatch(said);
      expect(inChannel(pressed.calls)).toEqual([]);
      expect(pressed.calls.filter((c) => c.op === 'update')).toEqual([]);
      if (p === bob) expect(callsText(inChat(pressed.calls, personalChatOf(carol)))).toMatch(/More time requested[\s\S]*Bob Builder/);
    }
  });

  it('nudges only those who have not answered, at 09:30 London on the working day 14 days before: 1:1, or @mentioning Gina in the channel', async () => {
    const early = await w.tick('2027-02-12T09:29:00Z');
    expect(withText(early, /Consultation reminder/)).toEqual([]);
    const due = await w.tick('2027-02-12T09:30:00Z');
    const nudges = withText(due, /Consultation reminder/);
    expect(where(nudges)).toEqual([CHANNEL, personalChatOf(carol), personalChatOf(erin), personalChatOf(frank)].sort());
    expect(callsText(nudges)).toMatch(/14 days left/);
    expectGinaMentioned(nudges.find((c) => c.conversationId === CHANNEL)!);
    for (const n of nudges.filter((c) => c.conversationId !== CHANNEL)) expect(n.body.entities ?? []).toEqual([]);

    // Erin answers from the nudge in her own chat.
    const inErinsChat = nudges.find((c) => c.conversationId === personalChatOf(erin))!;
    const yes = action(actions([inErinsChat]), (a) => a.verb === 'consult.respond' && a.data.value.endsWith(':responded'), 'responded');
    const pressed = await w.execute(erin, DM, yes);
    expect(refreshed(pressed.body)).toMatch(/you have responded/);
    expect(posted(pressed.calls)).toEqual([]);
  });

  it('posts the Monday digest at 09:00 in the channel, with what is due and how many answered', async () => {
    const sunday = await w.tick('2027-02-14T09:00:00Z');
    expect(withText(sunday, /Partnership digest/)).toEqual([]);
    const monday = await w.tick('2027-02-15T09:00:00Z');
    const digest = posted(monday);
    expect(digest).toHaveLength(1);
    expect(digest[0]!.conversationId).toBe(CHANNEL);
    expect(digest[0]!.body.summary).toBe('Partnership digest');
    expect(callText(digest[0]!)).toMatch(/Draft local plan/);
    expect(callText(digest[0]!)).toMatch(/4 of 7/);
  });

  it('keeps nudging on the plan (7, 2 and 0 days before) those still silent, never after the deadline', async () => {
    for (const [at, left] of [
      ['2027-02-19T09:30:00Z', /7 days left/],
      ['2027-02-24T09:30:00Z', /2 days left/],
      ['2027-02-26T09:30:00Z', /due today/],
    ] as const) {
      const nudges = withText(await w.tick(at), /Consultation reminder/);
      expect(where(nudges)).toEqual([CHANNEL, personalChatOf(carol), personalChatOf(frank)].sort());
      expect(callsText(nudges)).toMatch(left);
      expectGinaMentioned(nudges.find((c) => c.conversationId === CHANNEL)!);
    }
  });

  it('after the deadline asks the coordinator 1:1 for feedback, chases it, and posts "you said, we did" to the channel and 1:1 to responders', async () => {
    const closed = await w.tick('2027-02-27T00:00:00Z');
    expect(withText(closed, /Consultation reminder/)).toEqual([]);
    const asked = withText(closed, /what did you do with the responses/);
    expect(where(asked)).toEqual([personalChatOf(carol)]);
    expect(callText(asked[0]!)).toMatch(/2 of 7 responded, 1 asked for more time, 1 said it was not relevant and 3 did not answer/);

    const chased = withText(await w.tick('2027-03-05T09:30:00Z'), /Feedback still owed/);
    expect(where(chased)).toEqual([personalChatOf(carol)]);

    const fed = await say(carol, `partner feedback ${consultationId} We added a youth centre and moved the bus route`);
    const said = withText(fed.calls, /We added a youth centre/);
    // The channel once; Alice and Erin, who responded; not Bob (more time), Dan (not relevant) or the silent.
    expect(where(said)).toEqual([CHANNEL, personalChatOf(alice), personalChatOf(erin)].sort());
    for (const c of said) expect(callText(c)).toMatch(/You said, we did/);
    expect(said.every((c) => (c.body.entities ?? []).length === 0)).toBe(true);
  });

  async function runPoll(voters: TeamsPerson[]): Promise<ConnectorCall[]> {
    const started = await say(carol, 'partner pulse start short days=3');
    const poll = inChannel(started.calls);
    expect(callsText(poll)).toMatch(/Pulse poll/);
    const answers = actions(poll).filter((a) => a.verb === 'pulse.answer');
    expect(answers.length).toBeGreaterThanOrEqual(10);
    const button = (block: string, score: number) => action(answers, (a) => a.data.value.endsWith(`:${block}:${score}`), `${block}=${score}`);
    for (const [i, voter] of voters.entries()) {
      const trust = await w.execute(voter, CH, button('trust', 1 + (i % 5)));
      expect(refreshed(trust.body)).toMatch(/Recorded anonymously/);
      const openness = await w.execute(voter, CH, button('openness', 5 - (i % 3)));
      expect(refreshed(openness.body)).toMatch(/Recorded anonymously/);
      // Nothing is posted or updated for anyone, and no chat is opened: the answer stays with the card.
      for (const pressed of [trust, openness]) expect(pressed.calls.filter((c) => c.op !== 'getMember')).toEqual([]);
    }
    const closed = await say(carol, 'partner pulse close');
    const results = inChannel(closed.calls);
    expect(results.length).toBeGreaterThan(0);
    // The channel never learns who answered.
    for (const voter of voters) expect(JSON.stringify(results.map((c) => c.body))).not.toContain(voter.name);
    return results;
  }

  it('shows pulse results after close with medians when 6 answered, and withholds them when only 4 did', async () => {
    const sixCalls = await runPoll(VOTERS);
    const six = callsText(sixCalls);
    expect(six).toMatch(/6 answered/);
    // The trend chart arrives as an Adaptive Card image served by the bot, and the image is really there.
    const image = /"type":"Image","url":"([^"]+\/media\/[^"]+\.png)"/.exec(JSON.stringify(sixCalls.map((c) => c.body)));
    expect(image).not.toBeNull();
    const png = await fetch(image![1]!);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toMatch(/image\/png/);
    expect(six).toMatch(/[Mm]edian/);
    const four = callsText(await runPoll([alice, bob, dan, erin]));
    expect(four).toMatch(/at least 5/);
    expect(four).not.toMatch(/[Mm]edian/);
  });

  it('reminds the chairs 1:1 at 09:30 BST (08:30Z) with the review pack, whose buttons offer continue, change or wind up', async () => {
    const set = await say(frank, 'partner review set 2027-04-30');
    expect(callsText(posted(set.calls))).toMatch(/30 Apr 2027/);
    // 30 days before is Wednesday 31 March 2027, after the clocks went forward.
    expect(withText(await w.tick('2027-03-31T08:29:00Z'), /Review coming up/)).toEqual([]);
    const reminded = withText(await w.tick('2027-03-31T08:30:00Z'), /Review coming up/);
    expect(where(reminded)).toEqual([personalChatOf(carol), personalChatOf(frank)].sort());
    const toFrank = reminded.find((c) => c.conversationId === personalChatOf(frank))!;
    expect(callText(toFrank)).toMatch(/30 Apr 2027/);
    expect(callText(toFrank)).toMatch(/Draft local plan/);
    const decide = actions([toFrank]).filter((a) => a.verb === 'command');
    expect(decide.map((a) => a.title)).toEqual(['Continue', 'Change', 'Wind up']);
    expect(decide.map((a) => a.data.value)).toEqual(['review done continue', 'review done change', 'review done wind-up']);

    // Frank presses Continue in his chat: the decision is recorded, the next review set a year on,
    // and in a 1:1 chat the answer replaces the pressed card rather than arriving as a second message.
    const pressed = await w.execute(frank, DM, decide[0]!.data);
    expect(pressed.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(JSON.stringify(pressed.body)).toMatch(/Review recorded[\s\S]*decided to [\s\S]*continue[\s\S]*31 Mar 2028/);
    expect(withText(pressed.calls, /Review recorded/)).toEqual([]);
  });
});
