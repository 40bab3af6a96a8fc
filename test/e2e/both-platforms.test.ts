// One partnership on both platforms: ONE real app with Slack (one workspace, against the fake Slack
// Web API) and Teams (authentication off, against the fake Bot Connector) both on. The coordinator
// sets up in Slack and links a Teams channel and her Teams account with `/partner link`; three members
// join in Slack and three in Teams; a poll answered on both counts six answers, shown in both
// channels; a consultation opened in Teams nudges each member on their own platform, and one tally
// counts answers from both. The clock is simulated; the scheduler runs when the test ticks it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callText as teamsText, cardText, type ConnectorCall } from '../fakes/bot-connector.ts';
import { dmOf, type SlackCall } from '../fakes/slack-api.ts';
import { callText as slackText, callsText as slackTexts, findButton } from '../fakes/slack-blocks.ts';
import { SLACK_CHANNEL, type SlackPerson } from '../fakes/slack-requests.ts';
import { person as slackPerson } from '../fakes/slack-world.ts';
import { CHANNEL as TEAMS_CHANNEL, installPersonal, person as teamsPerson, personalChatOf, type TeamsPerson, type Where } from '../fakes/teams-activities.ts';
import { actions, callsText as teamsTexts, inChannel as inTeamsChannel, inChat, posted, type CardAction } from '../fakes/teams-calls.ts';
import { startBothWorld, type BothWorld } from '../fakes/both-world.ts';

const SLACK_CH = SLACK_CHANNEL.id;
const CH: Where = { kind: 'channel' };
const DM: Where = { kind: 'personal' };
const AT = '<at>partnerbot</at> ';

// Carol, the coordinator, on both; three members on each platform.
const carolSlack = slackPerson('carol');
const carolTeams = teamsPerson('carol', 'Carol Council');
const SLACK_MEMBERS: [SlackPerson, string, string][] = [
  [slackPerson('alice'), 'third', 'Northside Foodbank'],
  [slackPerson('bob'), 'private', 'Acme Builders'],
  [slackPerson('dan'), 'community', 'Northside Residents'],
];
const erin = teamsPerson('erin', 'Erin Youth');
const frank = teamsPerson('frank', 'Frank NHS');
const gina = teamsPerson('gina', 'Gina Chamber');
const TEAMS_MEMBERS: [TeamsPerson, string, string][] = [
  [erin, 'third', 'Youth Trust'],
  [frank, 'public', 'NHS Northside'],
  [gina, 'private', 'Chamber of Commerce'],
];
const [alice, bob, dan] = SLACK_MEMBERS.map(([p]) => p) as [SlackPerson, SlackPerson, SlackPerson];

let w: BothWorld;

beforeAll(async () => {
  // Monday 4 January 2027, 09:00 London (GMT).
  w = await startBothWorld(new Date('2027-01-04T09:00:00Z'));
});

afterAll(async () => {
  await w?.stop();
});

const slackChannelPosts = (calls: SlackCall[]) => calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === SLACK_CH);
const slackDms = (calls: SlackCall[]) => calls.filter((c) => c.method === 'chat.postMessage' && /^U/.test(String(c.args.channel)));
const ephemeral = (calls: SlackCall[]) => calls.filter((c) => (c.method === 'response_url' && c.args.response_type === 'ephemeral') || c.method === 'chat.postEphemeral');
const teamsWith = (calls: ConnectorCall[], pattern: RegExp) => posted(calls).filter((c) => pattern.test(teamsText(c)));

function linkCode(text: string): string {
  const m = /\/partner link ([a-km-np-z2-9]{4}-[a-km-np-z2-9]{4})/.exec(text);
  if (!m) throw new Error(`no link code in:\n${text}`);
  return m[1]!;
}

/** Carol asks for a one-time code in the Slack channel; only she sees it. */
async function codeFromSlack(): Promise<string> {
  const calls = await w.slack.command(carolSlack, 'link');
  expect(slackChannelPosts(calls)).toEqual([]);
  return linkCode(slackTexts(ephemeral(calls)));
}

function cardAction(found: CardAction[], predicate: (a: CardAction) => boolean, what: string): Record<string, unknown> {
  const a = found.find(predicate);
  if (!a) throw new Error(`no ${what} among ${JSON.stringify(found.map((x) => x.title))}`);
  return a.data;
}

describe('one partnership on Slack and Teams', () => {
  let consultationId = '';

  it('is set up in Slack; /partner link adds the coordinator’s Teams account in a 1:1 and joins a Teams channel', async () => {
    const setup = await w.slack.command(carolSlack, 'setup "Northside CPP" purpose="Better outcomes for Northside"');
    expect(slackTexts(slackChannelPosts(setup))).toMatch(/Northside CPP is set up/);
    await w.slack.command(carolSlack, 'settings pulse=off');
    await w.slack.command(carolSlack, 'join public "Northside Council"');

    // Her Teams account, in her 1:1 chat with the bot.
    await w.teams.exchange(installPersonal(carolTeams, w.teams.fake.url));
    const account = await w.teams.say(carolTeams, DM, `/partner link ${await codeFromSlack()}`);
    const accountReply = inChat(account.calls, personalChatOf(carolTeams));
    expect(teamsTexts(accountReply)).toMatch(/Your Microsoft Teams account is now carol in Northside CPP/);
    expect(teamsTexts(accountReply)).not.toMatch(/This channel now belongs/);

    // The Teams channel, with a second code (each works once).
    const channel = await w.teams.say(carolTeams, CH, `${AT}/partner link ${await codeFromSlack()}`);
    expect(teamsTexts(inTeamsChannel(channel.calls))).toMatch(/This channel now belongs to Northside CPP/);
    expect(teamsTexts(posted(channel.calls))).not.toMatch(/Your Microsoft Teams account/);

    // As the coordinator on Teams, she is known by her Teams account too.
    const members = await w.teams.say(carolTeams, DM, 'partner members');
    expect(teamsTexts(inChat(members.calls, personalChatOf(carolTeams)))).toMatch(/carol/);
  });

  it('takes three members in Slack and three in Teams, each welcomed on their own platform', async () => {
    for (const [p, sector, org] of SLACK_MEMBERS) {
      const teamsMark = w.teams.fake.mark();
      const joined = await w.slack.command(p, `join ${sector} "${org}"`);
      expect(slackTexts(slackChannelPosts(joined))).toContain(`${p.name} from ${org}`);
      // The partnership's Teams channel hears it too.
      await w.app.core.flush();
      expect(teamsTexts(inTeamsChannel(w.teams.fake.since(teamsMark)))).toContain(`${p.name} from ${org}`);
    }
    await w.slack.fake.waitFor((calls) => SLACK_MEMBERS.every(([p]) => slackDms(calls).some((c) => c.args.channel === p.id && /Welcome to Northside CPP/.test(slackText(c)))), 'the Slack welcomes');

    for (const [p, sector, org] of TEAMS_MEMBERS) {
      await w.teams.exchange(installPersonal(p, w.teams.fake.url));
      const joined = await w.teams.say(p, CH, `${AT}partner join ${sector} "${org}"`);
      expect(teamsTexts(inTeamsChannel(joined.calls))).toContain(`${p.name} from ${org}`);
      await w.slack.fake.waitFor((calls) => slackChannelPosts(calls).some((c) => slackText(c).includes(`${p.name} from ${org}`)), `${p.name}'s join in the Slack channel`);
      expect(teamsTexts(inChat(joined.calls, personalChatOf(p)))).toMatch(/Welcome to Northside CPP/);
    }
    const list = await w.slack.command(carolSlack, 'members');
    const text = slackTexts([...ephemeral(list), ...slackChannelPosts(list)]);
    for (const name of ['carol', 'alice', 'bob', 'dan', 'Erin Youth', 'Frank NHS', 'Gina Chamber']) expect(text).toContain(name);
  });

  it('posts a poll started in Slack in both channels; three answer by Slack buttons and three by Teams Action.Execute; the results (six answers) appear in both', async () => {
    const teamsMark = w.teams.fake.mark();
    const started = await w.slack.command(carolSlack, 'pulse start short days=3');
    const slackPoll = slackChannelPosts(started);
    expect(slackPoll).toHaveLength(1);
    expect(slackText(slackPoll[0]!)).toMatch(/Pulse poll/);
    const teamsPoll = inTeamsChannel(w.teams.fake.since(teamsMark));
    expect(teamsPoll).toHaveLength(1);
    expect(teamsText(teamsPoll[0]!)).toMatch(/Pulse poll/);
    const pollId = /p-[a-z0-9]{8}/.exec(JSON.stringify(slackPoll[0]!.args.blocks))![0];
    expect(JSON.stringify(teamsPoll[0]!.body)).toContain(pollId);

    const scores: [number, number][] = [
      [1, 5],
      [2, 4],
      [3, 3],
      [4, 5],
      [5, 4],
      [3, 3],
    ];
    for (const [i, p] of [alice, bob, dan].entries()) {
      const [trust, openness] = scores[i]!;
      for (const [block, score] of [['trust', trust], ['openness', openness]] as const) {
        const button = findButton(slackPoll, (b) => b.value === `${pollId}:${block}:${score}`, `${block} ${score}`);
        const pressed = await w.slack.press(p, button.actionId, button.value);
        expect(slackTexts(ephemeral(pressed))).toMatch(/Recorded anonymously/);
        expect(slackChannelPosts(pressed)).toEqual([]);
      }
    }
    const answers = actions(teamsPoll).filter((a) => a.verb === 'pulse.answer');
    for (const [i, p] of [erin, frank, gina].entries()) {
      const [trust, openness] = scores[i + 3]!;
      for (const [block, score] of [['trust', trust], ['openness', openness]] as const) {
        const pressed = await w.teams.execute(p, CH, cardAction(answers, (a) => a.data.value === `${pollId}:${block}:${score}`, `${block} ${score}`));
        expect(cardText(pressed.body.value)).toMatch(/Recorded anonymously/);
        expect(posted(pressed.calls)).toEqual([]);
      }
    }

    const teamsBefore = w.teams.fake.mark();
    const uploadsBefore = w.slack.fake.uploads.length;
    const closed = await w.slack.command(carolSlack, 'pulse close');
    const slackResults = slackChannelPosts(closed).filter((c) => /[Mm]edian/.test(slackText(c)));
    expect(slackResults).toHaveLength(1);
    const teamsResults = inTeamsChannel(w.teams.fake.since(teamsBefore)).filter((c) => /[Mm]edian/.test(teamsText(c)));
    expect(teamsResults).toHaveLength(1);
    for (const shown of [slackText(slackResults[0]!), teamsText(teamsResults[0]!)]) {
      // Trust 1,2,3,4,5,3 and openness 5,4,3,5,4,3: medians 3 and 4, each of six answers.
      expect(shown).toMatch(/Trust[\s\S]*6 answered · median 3 ·[\s\S]*Openness[\s\S]*6 answered · median 4 ·/);
    }
    // Nobody is named beside an answer, on either platform.
    for (const name of ['alice', 'bob', 'dan', 'Erin Youth', 'Frank NHS', 'Gina Chamber']) {
      expect(JSON.stringify(slackResults[0]!.args)).not.toContain(name);
      expect(JSON.stringify(teamsResults[0]!.body)).not.toContain(name);
    }
    // The Slack reply's trend chart is shared in the Slack channel.
    await w.slack.fake.waitFor(() => w.slack.fake.uploads.length > uploadsBefore, 'the chart upload', 30_000);
    expect(w.slack.fake.uploads.at(-1)!.channel).toBe(SLACK_CH);
  });

  it('posts a consultation opened in Teams in both channels, and takes answers from both', async () => {
    const slackMark = w.slack.fake.mark();
    const opened = await w.teams.say(carolTeams, CH, `${AT}partner consult "Draft local plan" by 2027-02-26`);
    const inTeams = inTeamsChannel(opened.calls);
    expect(inTeams).toHaveLength(1);
    consultationId = /\bc-[a-z0-9]{8}\b/.exec(teamsText(inTeams[0]!))![0];
    await w.app.core.flush();
    const inSlack = slackChannelPosts(w.slack.fake.since(slackMark));
    expect(inSlack).toHaveLength(1);
    expect(slackText(inSlack[0]!)).toContain(consultationId);
    expect(slackText(inSlack[0]!)).toMatch(/Draft local plan/);

    const yes = findButton(inSlack, (b) => b.value === `${consultationId}:responded`, 'responded');
    expect(slackTexts(ephemeral(await w.slack.press(alice, yes.actionId, yes.value)))).toMatch(/you have responded/);
    const respond = actions(inTeams).filter((a) => a.verb === 'consult.respond');
    expect(cardText((await w.teams.execute(erin, CH, cardAction(respond, (a) => a.data.value.endsWith(':responded'), 'responded'))).body.value)).toMatch(/you have responded/);
    expect(cardText((await w.teams.execute(frank, CH, cardAction(respond, (a) => a.data.value.endsWith(':not_relevant'), 'not relevant'))).body.value)).toMatch(/not relevant to you/);
  });

  it('nudges each member who has not answered on their own platform at 09:30 London, 14 days before', async () => {
    const early = await w.tick('2027-02-12T09:29:00Z');
    expect(slackTexts(early.slack)).not.toMatch(/Consultation reminder/);
    expect(teamsWith(early.teams, /Consultation reminder/)).toEqual([]);

    const due = await w.tick('2027-02-12T09:30:00Z');
    const slackNudges = due.slack.filter((c) => c.method === 'chat.postMessage' && /Consultation reminder/.test(slackText(c)));
    // Carol's first account is Slack's, so she is nudged there; Bob and Dan are Slack members.
    expect(slackNudges.map((c) => c.args.channel).sort()).toEqual([carolSlack.id, bob.id, dan.id].sort());
    const teamsNudges = teamsWith(due.teams, /Consultation reminder/);
    expect(teamsNudges.map((c) => c.conversationId)).toEqual([personalChatOf(gina)]);
    expect(slackTexts(slackNudges) + teamsTexts(teamsNudges)).toMatch(/14 days left/);

    // Dan answers from his Slack DM, Gina from her Teams chat: both count.
    const inDansDm = findButton(slackNudges.filter((c) => c.args.channel === dan.id), (b) => b.value === `${consultationId}:responded`, 'responded in the DM');
    expect(slackTexts(ephemeral(await w.slack.press(dan, inDansDm.actionId, inDansDm.value, { channel: dmOf(dan.id) })))).toMatch(/you have responded/);
    const ginaYes = cardAction(actions(teamsNudges), (a) => a.verb === 'consult.respond' && a.data.value === `${consultationId}:responded`, 'responded in her chat');
    const pressed = await w.teams.execute(gina, DM, ginaYes);
    expect(JSON.stringify(pressed.body)).toMatch(/you have responded/);
  });

  it('counts answers from both platforms in one tally: the Monday digest in both channels says 5 of 7', async () => {
    const monday = await w.tick('2027-02-15T09:00:00Z');
    const slackDigest = slackChannelPosts(monday.slack).filter((c) => /Partnership digest/.test(slackText(c)));
    const teamsDigest = inTeamsChannel(monday.teams).filter((c) => /Partnership digest/.test(teamsText(c)));
    expect(slackDigest).toHaveLength(1);
    expect(teamsDigest).toHaveLength(1);
    expect(teamsDigest[0]!.conversationId).toBe(TEAMS_CHANNEL);
    for (const shown of [slackText(slackDigest[0]!), teamsText(teamsDigest[0]!)]) {
      expect(shown).toMatch(/Draft local plan/);
      expect(shown).toMatch(/5 of 7/);
    }
  });
});
