// A partnership's life through Slack: the real app and the real @slack/bolt stack on loopback, with
// signed requests in (slash commands, buttons, forms, events) and the calls that reach a fake Slack
// Web API out. The clock is simulated; Slack's signatures use the real time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHOD_SCOPES } from '../../src/adapters/slack/surface.ts';
import type { SlackCall } from '../fakes/slack-api.ts';
import { buttonsIn, callText, callsText, findButton } from '../fakes/slack-blocks.ts';
import { signature, SLACK_CHANNEL } from '../fakes/slack-requests.ts';
import { BOT_TOKEN, person, SECRET, startSlackWorld, type PressWhere, type SlackWorld } from '../fakes/slack-world.ts';

const CH = SLACK_CHANNEL.id;
const carol = person('carol');
const PEOPLE: [string, string, string][] = [
  ['alice', 'third', 'Northside Foodbank'],
  ['bob', 'private', 'Acme Builders'],
  ['dan', 'community', 'Northside Residents'],
  ['erin', 'third', 'Youth Trust'],
  ['frank', 'public', 'NHS Northside'],
  ['gina', 'private', 'Chamber of Commerce'],
];
// What Slack sends when someone types these characters themselves (it escapes &, < and >).
const HOSTILE_TYPED = '&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil.example|x&gt; *bold*';
const HOSTILE_RAW = ['<!channel>', '<@U123>', '<https://evil.example'];

let w: SlackWorld;

beforeAll(async () => {
  w = await startSlackWorld();
  // Monday 4 January 2027, 09:00 London.
  w.clock.set(new Date('2027-01-04T09:00:00Z'));
});

afterAll(async () => {
  await w?.stop();
});

/** Sends a signed slash command and waits until it has been answered somewhere. */
const command = (who: string, text: string, channel = SLACK_CHANNEL): Promise<SlackCall[]> => w.command(person(who), text, channel);
const press = (who: string, actionId: string, value: string, where: PressWhere = {}): Promise<SlackCall[]> => w.press(person(who), actionId, value, where);

const inChannel = (calls: SlackCall[]) => calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === CH);
const dmsTo = (calls: SlackCall[], who: string) => calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === person(who).id);
function mrkdwnObjects(value: unknown): { verbatim?: boolean }[] {
  if (Array.isArray(value)) return value.flatMap(mrkdwnObjects);
  if (typeof value !== 'object' || value === null) return [];
  const o = value as Record<string, unknown>;
  return [...(o.type === 'mrkdwn' ? [o] : []), ...Object.values(o).flatMap(mrkdwnObjects)];
}
const ephemeral = (calls: SlackCall[]) => calls.filter((c) => (c.method === 'response_url' && c.args.response_type === 'ephemeral') || c.method === 'chat.postEphemeral');

describe('Slack requests are verified', () => {
  it('answers a bad, missing or stale signature with 401 and runs nothing', async () => {
    const from = w.fake.mark();
    const req = w.payloads.command(carol, 'setup "Hijacked"');
    const now = Math.floor(Date.now() / 1000);
    expect((await w.slack.post(req, { signature: 'v0=0123456789abcdef' })).status).toBe(401);
    expect((await w.slack.post(req, { signature: null })).status).toBe(401);
    const stale = now - 6 * 60;
    expect((await w.slack.post(req, { timestamp: stale, signature: signature(SECRET, stale, req.body) })).status).toBe(401);
    expect((await w.slack.post(req, { signature: signature('another-secret', now, req.body), timestamp: now })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect(w.fake.since(from)).toEqual([]);
    // Nothing was set up: the channel is still free.
    const bound = await w.app.deps.store.transaction((tx) => tx.partnershipByChannel({ platform: 'slack', workspace: 'T0001', channel: CH }));
    expect(bound).toBeNull();
  });
});

describe('a partnership life in Slack', () => {
  let consultationId = '';

  it('answers /partner help privately', async () => {
    const calls = await command('carol', 'help');
    const reply = calls.find((c) => c.method === 'response_url')!;
    expect(reply.args.response_type).toBe('ephemeral');
    expect(callText(reply)).toMatch(/partnerbot commands/);
    expect(inChannel(calls)).toEqual([]);
  });

  it('sets up the partnership in the channel and welcomes each member by DM', async () => {
    const setup = await command('carol', 'setup "Northside CPP" purpose="Better outcomes for Northside"');
    expect(callsText(inChannel(setup))).toMatch(/Northside CPP is set up/);
    expect(inChannel(setup)[0]!.token).toBe(BOT_TOKEN);
    await command('carol', 'settings pulse=off');
    await command('carol', 'join public "Northside Council"');
    for (const [name, sector, org] of PEOPLE) {
      const joined = await command(name, `join ${sector} "${org}"`);
      expect(callsText(inChannel(joined))).toContain(`${name} from ${org}`);
    }
    await w.fake.waitFor((calls) => dmsTo(calls, 'alice').length > 0, 'the welcome DM');
    expect(callsText(dmsTo(w.fake.calls, 'alice'))).toMatch(/Welcome to Northside CPP/);
  });

  it('refuses a member who tries a coordinator command, privately', async () => {
    const denied = await command('bob', 'consult "Sneaky" by 2027-06-01');
    expect(callsText(ephemeral(denied))).toMatch(/Only a coordinator can open a consultation/);
    expect(inChannel(denied)).toEqual([]);
  });

  it('opens a consultation with answer buttons, escaping what the person typed', async () => {
    const opened = await command('carol', `consult "${HOSTILE_TYPED}" by 2027-02-26 link https://example.org/plan`);
    const announcement = inChannel(opened);
    expect(announcement).toHaveLength(1);
    consultationId = /c-[a-z0-9]{8}/.exec(callText(announcement[0]!))![0];
    const posted = JSON.stringify(announcement[0]!.args);
    for (const raw of HOSTILE_RAW) expect(posted).not.toContain(raw);
    expect(callText(announcement[0]!)).toContain('&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil.example|x&gt;');
    expect(callText(announcement[0]!)).not.toContain('*bold*');
    expect(callText(announcement[0]!)).toContain('<!date^0^{_}|*>bold<!date^0^{_}|*>');
    // Every mrkdwn text object is verbatim: no auto-linked names or mentions.
    const objects = mrkdwnObjects(announcement[0]!.args.blocks);
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) expect(o.verbatim).toBe(true);
    // Three answer buttons with ids unique in the message, plus the link.
    const ids = buttonsIn(announcement).map((b) => b.actionId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(buttonsIn(announcement).filter((b) => b.actionId.startsWith('consult.respond#'))).toHaveLength(3);
    expect(buttonsIn(announcement).find((b) => b.url)?.url).toBe('https://example.org/plan');
    // The short-notice warning is for carol only.
    expect(callsText(ephemeral(opened))).toMatch(/12 weeks/);
  });

  it('takes an answer by button, confirmed only to the person who pressed it', async () => {
    const announcement = inChannel(w.fake.calls).find((c) => callText(c).includes(consultationId))!;
    const yes = findButton([announcement], (b) => b.value === `${consultationId}:responded`, 'responded');
    const pressed = await press('alice', yes.actionId, yes.value);
    const confirm = pressed.find((c) => c.method === 'response_url')!;
    expect(confirm.args.response_type).toBe('ephemeral');
    expect(confirm.args.replace_original).toBe(false);
    expect(callText(confirm)).toMatch(/you have responded/);
    expect(inChannel(pressed)).toEqual([]);

    const more = findButton([announcement], (b) => b.value === `${consultationId}:more_time`, 'more time');
    await press('bob', more.actionId, more.value);
    await w.fake.waitFor((calls) => callsText(dmsTo(calls, 'carol')).includes('needs more time'), 'the DM to the coordinator');
    const dan = findButton([announcement], (b) => b.value === `${consultationId}:not_relevant`, 'not relevant');
    await press('dan', dan.actionId, dan.value);
  });

  it('nudges those who have not answered by DM, on time', async () => {
    const early = w.fake.mark();
    await w.app.core.tick(new Date('2027-02-12T09:29:00Z'));
    expect(callsText(w.fake.since(early, 'chat.postMessage'))).not.toMatch(/Consultation reminder/);
    const from = w.fake.mark();
    await w.app.core.tick(new Date('2027-02-12T09:30:00Z'));
    const nudges = w.fake.since(from, 'chat.postMessage').filter((c) => callText(c).includes('Consultation reminder'));
    expect(nudges.map((c) => c.args.channel).sort()).toEqual(['U0CAROL', 'U0ERIN', 'U0FRANK', 'U0GINA']);
    // A nudge carries the answer buttons, and a press from the DM counts.
    const inDm = findButton(nudges.filter((c) => c.args.channel === 'U0ERIN'), (b) => b.value.endsWith(':responded'), 'responded in DM');
    const pressed = await press('erin', inDm.actionId, inDm.value, { channel: 'D0ERIN' });
    expect(callsText(ephemeral(pressed))).toMatch(/you have responded/);
  });

  it('posts the Monday digest in the channel', async () => {
    const from = w.fake.mark();
    await w.app.core.tick(new Date('2027-02-15T09:00:00Z'));
    const digest = inChannel(w.fake.since(from));
    expect(digest).toHaveLength(1);
    expect(callText(digest[0]!)).toMatch(/Partnership digest/);
    expect(callText(digest[0]!)).toMatch(/4 of 7/);
    expect(JSON.stringify(digest[0]!.args)).not.toContain('<!channel>');
  });

  it('posts "you said, we did" escaped, to the channel and to those who responded', async () => {
    await w.app.core.tick(new Date('2027-02-27T00:00:00Z'));
    const from = w.fake.mark();
    await command('carol', `feedback ${consultationId} We heard &lt;!here&gt; and *you*: a youth centre`);
    await w.fake.waitFor((calls) => callsText(dmsTo(calls.filter((c) => c.seq > from), 'alice')).includes('youth centre'), 'the feedback DM');
    const posted = w.fake.since(from, 'chat.postMessage').filter((c) => callText(c).includes('youth centre'));
    expect(posted.map((c) => c.args.channel)).toContain(CH);
    for (const c of posted) {
      expect(JSON.stringify(c.args)).not.toContain('<!here>');
      expect(callText(c)).toContain('&lt;!here&gt;');
      expect(callText(c)).not.toContain('*you*');
    }
  });

  it('runs a pulse poll answered by buttons: confirmations are private, the channel never shows a voter', async () => {
    const started = await command('carol', 'pulse start short days=3');
    const poll = inChannel(started);
    expect(poll).toHaveLength(1);
    const rows = (poll[0]!.args.blocks as { type: string; elements?: unknown[] }[]).filter((b) => b.type === 'actions');
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const r of rows) expect(r.elements!.length).toBeLessThanOrEqual(5);
    const ids = buttonsIn(poll).map((b) => b.actionId);
    expect(new Set(ids).size).toBe(ids.length);

    const voters = ['alice', 'bob', 'dan', 'erin', 'frank', 'gina'];
    const from = w.fake.mark();
    for (const [i, voter] of voters.entries()) {
      const trust = findButton(poll, (b) => b.value.endsWith(`:trust:${1 + (i % 5)}`), 'trust');
      const pressed = await press(voter, trust.actionId, trust.value);
      expect(callsText(ephemeral(pressed))).toMatch(/Recorded anonymously/);
      const openness = findButton(poll, (b) => b.value.endsWith(`:openness:${5 - (i % 3)}`), 'openness');
      await press(voter, openness.actionId, openness.value);
    }
    const during = w.fake.since(from);
    expect(inChannel(during)).toEqual([]);
    expect(during.filter((c) => c.method === 'response_url').every((c) => c.args.response_type === 'ephemeral')).toBe(true);

    const closed = await command('carol', 'pulse close');
    await w.fake.waitFor((calls) => inChannel(calls.filter((c) => c.seq > from)).some((c) => /[Mm]edian/.test(callText(c))), 'the results');
    const results = inChannel(w.fake.since(from)).filter((c) => /[Mm]edian/.test(callText(c)));
    expect(callsText(results)).toContain('```');
    expect(callsText(results)).toMatch(/█/);
    const channelPosts = JSON.stringify(inChannel(w.fake.since(from)).map((c) => c.args));
    for (const voter of voters) {
      expect(channelPosts).not.toContain(person(voter).id);
      expect(channelPosts).not.toMatch(new RegExp(`\\b${voter}\\b`));
    }
    expect(closed.length).toBeGreaterThan(0);
  });

  it('shows the App Home with one-click answers, and answers pressed there', async () => {
    const opened = await command('carol', `consult "Budget priorities" by 2027-06-30`);
    const id = /c-[a-z0-9]{8}/.exec(callsText(inChannel(opened)))![0];
    const from = w.fake.mark();
    const res = await w.slack.post(w.payloads.event('app-home-opened', { user: 'U0GINA', channel: 'D0GINA' }));
    expect(res.status).toBe(200);
    await w.fake.waitFor((calls) => calls.some((c) => c.seq > from && c.method === 'views.publish'), 'views.publish');
    const home = w.fake.since(from, 'views.publish')[0]!;
    expect(home.args.user_id).toBe('U0GINA');
    expect(home.args.view.type).toBe('home');
    expect(callText(home)).toMatch(/Budget priorities/);
    const button = findButton([home], (b) => b.value === `${id}:responded`, 'home answer');
    const pressed = await press('gina', button.actionId, button.value, { home: true });
    // From the Home tab the confirmation comes by DM and the Home tab is published again.
    expect(callsText(dmsTo(pressed, 'gina'))).toMatch(/you have responded/);
    const again = pressed.filter((c) => c.method === 'views.publish');
    expect(again).toHaveLength(1);
    expect(callText(again[0]!)).toMatch(/Answered: Budget priorities/);
  });

  it('welcomes someone who joins the channel, by DM', async () => {
    w.fake.users.set('U0HANNA', 'Hanna Lee');
    const from = w.fake.mark();
    const res = await w.slack.post(w.payloads.event('member-joined-channel', { user: 'U0HANNA', channel: CH }));
    expect(res.status).toBe(200);
    await w.fake.waitFor((calls) => dmsTo(calls.filter((c) => c.seq > from), 'hanna').length > 0, 'the welcome DM');
    const welcome = dmsTo(w.fake.since(from), 'hanna')[0]!;
    expect(callText(welcome)).toMatch(/Welcome to Northside CPP/);
    expect(callText(welcome)).toMatch(/Hanna Lee/);
    expect(w.fake.since(from, 'users.info')[0]!.args.user).toBe('U0HANNA');
  });

  it('retries a rate-limited post after Retry-After, from the dispatcher, and delivers it once', async () => {
    w.fake.failNext('chat.postMessage', { status: 429, retryAfter: 2 }, (args) => args.channel === 'U0HANNA');
    const from = w.fake.mark();
    // Joining queues the welcome DM in the outbox; the first attempt is rate limited.
    await command('hanna', 'join community "Northside Residents"');
    await w.fake.waitFor(() => dmsTo(w.fake.since(from), 'hanna').length >= 1, 'the rate-limited attempt');
    expect(dmsTo(w.fake.since(from), 'hanna')).toHaveLength(1);
    await w.app.core.flush();
    await new Promise((r) => setTimeout(r, 200));
    expect(dmsTo(w.fake.since(from), 'hanna')).toHaveLength(1); // not yet: Retry-After has not passed
    await w.app.core.tick(new Date(w.clock.now().getTime() + 2_500));
    const attempts = dmsTo(w.fake.since(from), 'hanna');
    expect(attempts).toHaveLength(2);
    expect(callText(attempts[1]!)).toMatch(/Welcome to Northside CPP/);
    await w.app.core.tick(new Date(w.clock.now().getTime() + 60_000));
    expect(dmsTo(w.fake.since(from), 'hanna')).toHaveLength(2);
  });

  it('posts through the response_url in a private channel the bot was not invited to', async () => {
    w.fake.failNext('chat.postMessage', { error: 'not_in_channel' }, (args) => args.channel === 'G0PRIVATE');
    const calls = await command('carol', 'setup "Quiet Group"', { id: 'G0PRIVATE', name: 'quiet-group' });
    const refused = calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === 'G0PRIVATE');
    expect(refused).toHaveLength(1);
    const inChannelReply = calls.find((c) => c.method === 'response_url' && c.args.response_type === 'in_channel')!;
    expect(callText(inChannelReply)).toMatch(/Quiet Group is set up/);
  });

  it('calls only Web API methods whose scopes the manifest declares', () => {
    const methods = new Set(w.fake.calls.map((c) => c.method).filter((m) => m !== 'response_url'));
    for (const m of methods) expect(Object.keys(METHOD_SCOPES)).toContain(m);
  });
});

describe('Slack forms (modals)', () => {
  it('opens the consultation form for a bare /partner consult, shows a refusal on its field, and opens it on submit', async () => {
    const calls = await command('carol', 'consult');
    const open = calls.find((c) => c.method === 'views.open')!;
    expect(open.args.trigger_id).toMatch(/^trigger-/);
    expect(open.args.view.callback_id).toBe('partner.consult');
    expect(JSON.parse(open.args.view.private_metadata)).toEqual({ channel: CH });
    const blockIds = (open.args.view.blocks as { block_id?: string }[]).map((b) => b.block_id).filter(Boolean);
    expect(blockIds).toEqual(['title', 'deadline', 'sectors', 'people', 'link']);

    const values = (deadline: string) => ({
      title: { value: { type: 'plain_text_input', value: 'Transport "plan" & <!here>' } },
      deadline: { value: { type: 'datepicker', selected_date: deadline } },
      sectors: { value: { type: 'multi_static_select', selected_options: [{ value: 'third', text: { type: 'plain_text', text: 'third sector' } }] } },
      people: { value: { type: 'multi_users_select', selected_users: ['U0FRANK'] } },
      link: { value: { type: 'url_text_input', value: 'https://example.org/transport' } },
    });
    const past = await w.slack.post(w.payloads.submission(carol, 'partner.consult', values('2027-01-01')));
    expect(past.status).toBe(200);
    expect(past.json.response_action).toBe('errors');
    expect(past.json.errors.deadline).toMatch(/must be after today/);

    const from = w.fake.mark();
    const ok = await w.slack.post(w.payloads.submission(carol, 'partner.consult', values('2027-09-30')));
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('');
    await w.fake.waitFor((all) => inChannel(all.filter((c) => c.seq > from)).length > 0, 'the announcement');
    const announcement = inChannel(w.fake.since(from))[0]!;
    expect(callText(announcement)).toContain('Transport "plan" &amp; &lt;!here&gt;');
  });

  it('refuses an empty required field in the form itself', async () => {
    const res = await w.slack.post(w.payloads.submission(carol, 'partner.review', {}));
    expect(res.json).toEqual({ response_action: 'errors', errors: { date: 'Pick the date of the next review.' } });
  });

  it('opens the pulse and review forms, and their submissions run the commands', async () => {
    const pulse = (await command('carol', 'pulse start')).find((c) => c.method === 'views.open')!;
    expect(pulse.args.view.callback_id).toBe('partner.pulse');
    const review = (await command('carol', 'review set')).find((c) => c.method === 'views.open')!;
    expect(review.args.view.callback_id).toBe('partner.review');

    const from = w.fake.mark();
    const res = await w.slack.post(w.payloads.submission(carol, 'partner.review', { date: { value: { type: 'datepicker', selected_date: '2027-11-30' } } }));
    expect(res.status).toBe(200);
    await w.fake.waitFor((all) => all.some((c) => c.seq > from && /30 Nov 2027/.test(callText(c))), 'the review date reply');

    const tooLong = await w.slack.post(w.payloads.submission(carol, 'partner.pulse', { form: { value: { type: 'radio_buttons', selected_option: { value: 'short' } } }, days: { value: { type: 'number_input', value: '45' } } }));
    expect(tooLong.json.response_action).toBe('errors');
    expect(Object.keys(tooLong.json.errors)).toEqual(['days']);
  });
});
