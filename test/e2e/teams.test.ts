// Partnerbot through Microsoft Teams: the real teams-ai Application and TeamsAdapter in the real app
// (store, handlers, scheduler, dispatcher, server), with real-shaped activities posted to
// /api/messages and a fake Bot Connector on loopback recording everything the bot sends back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/bot/app.ts';
import type { SimulatedClock } from '../../src/bot/clock.ts';
import { TeamsConversationStore } from '../../db/teams-conversations.ts';
import { callText, cardsOf, type FakeBotConnector } from '../fakes/bot-connector.ts';
import {
  BOT,
  CHANNEL,
  GROUP_CHAT,
  installPersonal,
  membersAdded,
  person,
  personalChatOf,
  textMessage,
  TENANT,
  type Where,
} from '../fakes/teams-activities.ts';
import { actions, callsText as text, inChannel, inChat, posted } from '../fakes/teams-calls.ts';
import { startTeamsWorld, type TeamsWorld } from '../fakes/teams-world.ts';

const CH: Where = { kind: 'channel' };
const DM: Where = { kind: 'personal' };

const carol = person('carol', 'Carol Chair');
const alice = person('alice', 'Alice Foodbank');
const bob = person('bob', 'Bob Builder');
const dan = person('dan', 'Dan Residents');
const erin = person('erin', 'Erin Youth');
const frank = person('frank', 'Frank NHS');
const gina = person('gina', 'Gina Chamber');

let w: TeamsWorld;
let app: App;
let fake: FakeBotConnector;
let clock: SimulatedClock;

beforeAll(async () => {
  w = await startTeamsWorld(new Date('2027-01-04T09:00:00Z'));
  ({ app, fake, clock } = w);
});

afterAll(async () => {
  await w?.stop();
});

const exchange = (activity: unknown) => w.exchange(activity);
const say: TeamsWorld['say'] = (p, where, text) => w.say(p, where, text);
const execute: TeamsWorld['execute'] = (p, where, data) => w.execute(p, where, data);
const submit: TeamsWorld['submit'] = (p, where, data) => w.submit(p, where, data);

function inputs(card: any): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (n: any): void => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    if (typeof n.type === 'string' && n.type.startsWith('Input.')) found[n.id] = n.type;
    Object.values(n).forEach(walk);
  };
  walk(card);
  return found;
}

describe('partnerbot on Microsoft Teams', () => {
  it('answers /partner help typed 1:1 with a card in the same chat, unauthenticated only because auth is off', async () => {
    const { calls } = await say(carol, DM, '/partner help');
    const replies = inChat(calls, personalChatOf(carol));
    expect(replies).toHaveLength(1);
    expect(replies[0]!.op).toBe('reply');
    expect(callText(replies[0]!)).toMatch(/partnerbot commands/);
    expect(replies[0]!.authorization).toBeUndefined();
  });

  it('sets up a partnership from a channel @mention, and people join with or without "partner" and the slash', async () => {
    const setup = await say(carol, CH, '<at>partnerbot</at> partner setup "Northside CPP" purpose="Better outcomes for Northside"');
    expect(text(inChannel(setup.calls))).toMatch(/Northside CPP is set up/);
    await say(carol, CH, '<at>partnerbot</at> /partner settings pulse=off');
    await say(carol, CH, '<at>partnerbot</at> partner join public "Northside Council"');

    // Alice installs the app for herself first: her personal chat exists, and she sees her own view.
    const installed = await exchange(installPersonal(alice, fake.url));
    expect(text(inChat(installed.calls, personalChatOf(alice)))).toMatch(/not in a partnership yet/);

    const aliceJoins = await say(alice, CH, '<at>partnerbot</at> join third "Northside Foodbank"');
    expect(text(inChannel(aliceJoins.calls))).toMatch(/Alice Foodbank from Northside Foodbank/);
    expect(text(inChat(aliceJoins.calls, personalChatOf(alice)))).toMatch(/You have joined/);

    // Bob has no chat with the bot: his welcome is an @mention in the partnership channel, never lost.
    const bobJoins = await say(bob, CH, '<at>partnerbot</at> partner join private "Acme Builders"');
    const mention = posted(bobJoins.calls).find((c) => c.conversationId === CHANNEL && /You have joined/.test(callText(c)));
    expect(mention?.body.text).toContain('<at>Bob Builder</at>');
    expect(mention?.body.entities).toEqual([{ type: 'mention', text: '<at>Bob Builder</at>', mentioned: { id: bob.id, name: 'Bob Builder' } }]);

    await say(dan, CH, '<at>partnerbot</at> partner join community "Northside Residents"');
  });

  it('opens a consultation; an Action.Execute answer refreshes the card for the person who pressed only', async () => {
    const opened = await say(carol, CH, '<at>partnerbot</at> partner consult "Draft local plan" by 2027-03-31');
    const announcement = inChannel(opened.calls);
    expect(text(announcement)).toMatch(/Draft local plan/);
    const respond = actions(announcement).filter((a) => a.verb === 'consult.respond');
    expect(respond.map((a) => a.title)).toEqual(['We have responded', 'Need more time', 'Not relevant to us']);

    const pressed = await execute(alice, CH, respond[0]!.data);
    expect(pressed.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(JSON.stringify(pressed.body.value)).toMatch(/you have responded/);
    // Nothing posted, updated or refreshed for everyone: the answer stays with Alice (and the coordinator's records).
    expect(pressed.calls.filter((c) => c.op !== 'getMember')).toEqual([]);

    const moreTime = await execute(bob, CH, respond[1]!.data);
    expect(JSON.stringify(moreTime.body.value)).toMatch(/you need more time/);
    expect(inChannel(moreTime.calls)).toEqual([]);
    // The coordinator hears about it in her own chat.
    expect(text(inChat(moreTime.calls, personalChatOf(carol)))).toMatch(/More time requested[\s\S]*Bob Builder/);
  });

  it('takes pulse answers by Action.Execute and by Action.Submit, and tells the channel nothing about who answered', async () => {
    const started = await say(carol, CH, '<at>partnerbot</at> partner pulse start short');
    const poll = inChannel(started.calls);
    expect(text(poll)).toMatch(/Pulse poll/);
    const answers = actions(poll).filter((a) => a.verb === 'pulse.answer');
    const trust = (n: number) => answers.find((a) => a.data.value.endsWith(`:trust:${n}`))!.data;

    const byExecute = await execute(alice, CH, trust(4));
    const refreshed = JSON.stringify(byExecute.body.value);
    expect(refreshed).toMatch(/Recorded anonymously/);
    expect(refreshed).toMatch(/pulse\.answer/); // the rest of the poll, still answerable
    expect(byExecute.calls.filter((c) => c.op !== 'getMember')).toEqual([]);

    // An older client: Action.Submit arrives as a message; Bob has no chat with the bot, so one is opened.
    const bySubmit = await submit(bob, CH, trust(2));
    const created = bySubmit.calls.find((c) => c.op === 'createConversation');
    expect(created?.body).toMatchObject({ isGroup: false, members: [{ id: bob.id }], channelData: { tenant: { id: expect.any(String) } } });
    const privately = posted(bySubmit.calls).filter((c) => c.conversationId?.startsWith('a:created-'));
    expect(text(privately)).toMatch(/Recorded anonymously/);
    expect(inChannel(bySubmit.calls)).toEqual([]);

    // Next time Bob's private replies go straight to that chat.
    const again = await submit(bob, CH, trust(3));
    expect(again.calls.some((c) => c.op === 'createConversation')).toBe(false);
    expect(text(inChat(again.calls, privately[0]!.conversationId!))).toMatch(/Recorded anonymously/);
    expect(inChannel(again.calls)).toEqual([]);
  });

  it('sends a form for a command typed with no arguments, and runs the command its submit builds', async () => {
    const asked = await say(carol, CH, '<at>partnerbot</at> partner consult');
    const form = cardsOf(inChannel(asked.calls)[0]!)[0];
    expect(inputs(form)).toEqual({ title: 'Input.Text', deadline: 'Input.Date', audience: 'Input.ChoiceSet', link: 'Input.Text' });

    const missing = await execute(carol, CH, { verb: 'form.consult', title: '', deadline: '' });
    expect(JSON.stringify(missing.body.value)).toMatch(/Give the consultation a title/);

    // Action.Execute merges the inputs into the button's data.
    const filled = await execute(carol, CH, { verb: 'form.consult', title: 'Budget "2027"', deadline: '2027-05-28', audience: 'public,third', link: 'https://example.org/budget' });
    const announced = inChannel(filled.calls);
    expect(text(announced)).toMatch(/Budget '2027'/);
    expect(JSON.stringify(cardsOf(announced[0]!))).toContain('"url":"https://example.org/budget"');
    expect(text(announced)).toMatch(/public sector/i);

    const reviewAsked = await say(carol, CH, '<at>partnerbot</at> review set');
    expect(inputs(cardsOf(inChannel(reviewAsked.calls)[0]!)[0])).toEqual({ date: 'Input.Date' });
    const set = await submit(carol, CH, { verb: 'form.review', date: '2027-06-30' });
    expect(text(posted(set.calls))).toMatch(/Review date set[\s\S]*30 Jun 2027/);
  });

  it('nudges later: 1:1 with continueConversation in a personal chat, else an @mention in the partnership channel', async () => {
    const mark = fake.mark();
    await app.core.tick(new Date('2027-03-17T09:30:00Z'));
    const calls = fake.since(mark);
    const reminders = posted(calls).filter((c) => /Consultation reminder/.test(callText(c)) && /Draft local plan/.test(callText(c)));
    // Carol has a personal chat; Dan has none, so he is @mentioned in the channel; Alice and Bob answered.
    expect(reminders.map((c) => c.conversationId).sort()).toEqual([CHANNEL, personalChatOf(carol)].sort());
    const toDan = reminders.find((c) => c.conversationId === CHANNEL)!;
    expect(toDan.body.text).toContain('<at>Dan Residents</at>');
    expect(toDan.body.entities[0].mentioned.id).toBe(dan.id);
    expect(text(reminders)).not.toMatch(/Alice|Bob/);
  });

  it('retries a 429 with Retry-After through the dispatcher and delivers the message once', async () => {
    fake.failNext(1, { status: 429, headers: { 'Retry-After': '7' }, conversationId: personalChatOf(carol) });
    const mark = fake.mark();
    const at = new Date('2027-03-24T09:30:00Z');
    await app.core.tick(at);
    const carolsCalls = () => fake.since(mark).filter((c) => c.conversationId === personalChatOf(carol) && /Draft local plan/.test(callText(c)));
    expect(carolsCalls().map((c) => c.status)).toEqual([429]);

    clock.set(new Date(at.getTime() + 3_000));
    await app.core.flush();
    expect(carolsCalls().map((c) => c.status)).toEqual([429]); // not before Retry-After

    clock.set(new Date(at.getTime() + 8_000));
    await app.core.flush();
    await app.core.flush();
    expect(carolsCalls().map((c) => c.status)).toEqual([429, 200]);
  });

  it('retries a 502 with the dispatcher\'s own backoff, once per attempt (the connector client does not retry)', async () => {
    // The digest's first post fails (other messages that morning, e.g. nudges, may go first).
    const isDigest = (c: { conversationId?: string; body?: { summary?: unknown } }) => c.conversationId === CHANNEL && c.body?.summary === 'Partnership digest';
    let failed = false;
    fake.plan = (call) => (!failed && isDigest(call) ? ((failed = true), { status: 502 }) : null);
    try {
      const mark = fake.mark();
      const monday = new Date('2027-03-29T08:00:00Z'); // 09:00 in London (BST)
      await app.core.tick(monday);
      const digests = () => fake.since(mark).filter(isDigest);
      await expect.poll(() => digests().map((c) => c.status)).toEqual([502]);
      clock.set(new Date(monday.getTime() + 31_000)); // the first backoff is 15–30 s
      await app.core.flush();
      expect(digests().map((c) => c.status)).toEqual([502, 200]);
    } finally {
      fake.plan = null;
    }
  });

  it('welcomes a member added to the team: 1:1 when they have a chat with the bot, else @mentioned in the channel', async () => {
    fake.members.set(erin.id, { id: erin.id, name: 'Erin Youth', aadObjectId: erin.aad });
    const erinAdded = await exchange(membersAdded(carol, [erin], fake.url));
    const welcome = inChannel(erinAdded.calls);
    expect(welcome).toHaveLength(1);
    expect(welcome[0]!.body.text).toContain('<at>Erin Youth</at>');
    expect(callText(welcome[0]!)).toMatch(/Hello Erin Youth[\s\S]*Northside CPP/);

    await exchange(installPersonal(frank, fake.url));
    fake.members.set(frank.id, { id: frank.id, name: 'Frank NHS', aadObjectId: frank.aad });
    const frankAdded = await exchange(membersAdded(carol, [frank], fake.url));
    expect(inChannel(frankAdded.calls)).toEqual([]);
    expect(text(inChat(frankAdded.calls, personalChatOf(frank)))).toMatch(/Hello Frank NHS[\s\S]*Northside CPP/);
  });

  it('falls back to an @mention in the channel when a personal chat is gone (403: the app was uninstalled)', async () => {
    fake.failNext(1, { status: 403, conversationId: personalChatOf(frank) });
    const joined = await say(frank, CH, '<at>partnerbot</at> partner join public "NHS Northside"');
    const welcome = posted(joined.calls).filter((c) => /You have joined/.test(callText(c)));
    expect(welcome.map((c) => c.conversationId)).toEqual([CHANNEL]);
    expect(welcome[0]!.body.text).toContain('<at>Frank NHS</at>');
    // The chat is forgotten: the next private message goes the same way without trying it again.
    const tried = joined.calls.filter((c) => c.conversationId === personalChatOf(frank)).map((c) => c.status);
    expect(tried).toEqual([403]);
  });

  it('keeps hostile user text from mentioning, linking or formatting in cards', async () => {
    const hostile = '<at>x</at> @channel **bold** [x](http://evil.example)';
    await exchange(installPersonal(gina, fake.url));
    await say(gina, CH, `<at>partnerbot</at> partner join private "${hostile}"`);
    const opened = await say(carol, CH, `<at>partnerbot</at> partner consult "${hostile}" by 2027-06-30`);
    const members = await say(carol, DM, '/partner members');
    const cards = [...inChannel(opened.calls), ...inChat(members.calls, personalChatOf(carol))];
    expect(cards.length).toBeGreaterThanOrEqual(2);
    expect(text(cards)).toContain('@channel'); // shown, as text
    for (const call of cards) {
      expect(call.body.entities ?? []).toEqual([]);
      expect(call.body.text ?? '').not.toMatch(/<at>/i);
      const walk = (n: any): void => {
        if (Array.isArray(n)) return n.forEach(walk);
        if (!n || typeof n !== 'object') return;
        // Where Teams reads Markdown, every marker is escaped.
        const md = n.type === 'TextBlock' ? [n.text] : n.type === 'FactSet' ? n.facts.flatMap((f: any) => [f.title, f.value]) : [];
        for (const s of md) {
          expect(s).not.toMatch(/(^|[^\\])\*\*/);
          expect(s).not.toMatch(/(^|[^\\])\[[^\]]*[^\\]\]\(/);
          expect(s).not.toMatch(/(^|[^\\])<at>/i);
          expect(s).not.toMatch(/https?:\/\/evil/);
        }
        // TextRuns are never Markdown; the address is still broken so it cannot auto-link.
        if (n.type === 'TextRun') expect(n.text).not.toMatch(/https?:\/\/evil/);
        Object.values(n).forEach(walk);
      };
      cardsOf(call).forEach(walk);
    }
  });

  it('refuses an activity whose serviceUrl is not a URL (400), keeping the stored chat it would have overwritten', async () => {
    const book = new TeamsConversationStore((app.deps.store as unknown as { db: never }).db);
    const before = await book.personalConversation(TENANT, carol.aad);
    const bad = { ...textMessage(carol, DM, '/partner help', fake.url), serviceUrl: 'help' };
    expect((await w.client.post(bad)).status).toBe(400);
    expect(await book.personalConversation(TENANT, carol.aad)).toEqual(before);
  });

  it('still answers privately when the stored 1:1 chat fails (500): it opens the chat again', async () => {
    fake.failNext(1, { status: 500, conversationId: personalChatOf(carol) });
    const { calls } = await say(carol, CH, '<at>partnerbot</at> partner status');
    expect(calls.filter((c) => c.conversationId === personalChatOf(carol)).map((c) => c.status)).toEqual([500]);
    expect(posted(calls).filter((c) => c.conversationId === CHANNEL)).toEqual([]);
    expect(text(posted(calls).filter((c) => c.conversationId?.startsWith('a:created-')))).toMatch(/Status of/);
  });

  it('answers a command in a group chat privately, without posting the answer in the chat', async () => {
    const { calls } = await say(dan, { kind: 'group' }, '<at>partnerbot</at> partner help');
    expect(posted(calls).filter((c) => c.conversationId === GROUP_CHAT)).toEqual([]);
    const privately = posted(calls).filter((c) => c.conversationId?.startsWith('a:created-'));
    expect(text(privately)).toMatch(/partnerbot commands/);
  });

  it('remembers a group chat the bot is added to, and forgets a chat when the app is removed from it', async () => {
    const book = new TeamsConversationStore((app.deps.store as unknown as { db: never }).db);
    const added = { ...membersAdded(carol, [], fake.url), membersAdded: [{ id: BOT.id }], conversation: { isGroup: true, conversationType: 'groupChat', tenantId: TENANT, id: GROUP_CHAT }, channelData: { tenant: { id: TENANT } } };
    await exchange(added);
    expect(await book.conversation(GROUP_CHAT)).toMatchObject({ kind: 'groupChat', tenantId: TENANT, reference: { serviceUrl: fake.url, conversation: { id: GROUP_CHAT } } });

    expect(await book.personalConversation(TENANT, alice.aad)).toMatchObject({ conversationId: personalChatOf(alice) });
    await exchange({ ...installPersonal(alice, fake.url), action: 'remove' });
    expect(await book.personalConversation(TENANT, alice.aad)).toBeNull();
  });
});
