// Charts and documents in Slack: the real app and Bolt stack against the fake Web API, which runs the
// external upload flow (files.getUploadURLExternal → POST the bytes → files.completeUploadExternal)
// and keeps every shared file with its bytes. Public replies share the file in the same channel; an
// ephemeral reply cannot carry a file, so a private reply's files go to the person's DM.
import pino from 'pino';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webApi } from '@slack/bolt';
import { boltLogger, clientOptions } from '../../src/adapters/slack/client.ts';
import { slackSender } from '../../src/adapters/slack/sender.ts';
import { METHOD_SCOPES } from '../../src/adapters/slack/surface.ts';
import { resultsFor } from '../../src/bot/handlers/pulse.ts';
import { renderChart } from '../../src/bot/render/chart.ts';
import { SendError } from '../../src/bot/dispatcher.ts';
import { trendChart } from '../../src/domain/charts.ts';
import { message, para, t } from '../../src/domain/message.ts';
import { images, pageTexts } from '../insight/pdf-text.ts';
import { dmOf, type SlackCall, type SlackUpload } from '../fakes/slack-api.ts';
import { callText, callsText, findButton } from '../fakes/slack-blocks.ts';
import { SLACK_CHANNEL } from '../fakes/slack-requests.ts';
import { BOT_TOKEN, person, startSlackWorld, TEAM, type SlackWorld } from '../fakes/slack-world.ts';

const CH = SLACK_CHANNEL.id;
const VOTERS = ['alice', 'bob', 'dan', 'erin', 'frank', 'gina'];
const UPLOAD_WAIT_MS = 30_000;

let w: SlackWorld;

const command = (who: string, text: string, channel = SLACK_CHANNEL) => w.command(person(who), text, channel);
const ephemeral = (calls: SlackCall[]) => calls.filter((c) => (c.method === 'response_url' && c.args.response_type === 'ephemeral') || c.method === 'chat.postEphemeral');
const inChannel = (calls: SlackCall[]) => calls.filter((c) => c.method === 'chat.postMessage' && c.args.channel === CH);

/** Waits until `count` more files have been shared since `before` (charts are drawn on the way). */
async function uploadsAfter(before: number, count: number): Promise<SlackUpload[]> {
  await w.fake.waitFor(() => w.fake.uploads.length >= before + count, `${count} shared file(s)`, UPLOAD_WAIT_MS);
  await w.fake.quiet();
  return w.fake.uploads.slice(before);
}

function decodePng(bytes: Buffer): PNG {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return PNG.sync.read(bytes);
}

/** The trend chart of the partnership's closed polls, drawn here the way the bot draws it. */
async function expectedTrendPng(): Promise<Buffer> {
  return w.app.deps.store.transaction(async (tx) => {
    const p = (await tx.partnershipByChannel({ platform: 'slack', workspace: TEAM, channel: CH }))!;
    const polls = await tx.polls(p.id, 'closed');
    expect(polls).toHaveLength(1);
    const chart = trendChart([await resultsFor(tx, polls[0]!)], p)!;
    return Buffer.from((await renderChart(chart.spec)).png);
  });
}

beforeAll(async () => {
  w = await startSlackWorld();
  w.clock.set(new Date('2027-01-04T09:00:00Z'));
  await command('carol', 'setup "Northside CPP"');
  await command('carol', 'settings pulse=off');
  await command('carol', 'join public "Northside Council"');
  for (const [name, sector, org] of [
    ['alice', 'third', 'Northside Foodbank'],
    ['bob', 'private', 'Acme Builders'],
    ['dan', 'community', 'Northside Residents'],
    ['erin', 'third', 'Youth Trust'],
    ['frank', 'public', 'NHS Northside'],
    ['gina', 'private', 'Chamber of Commerce'],
  ]) {
    await command(name!, `join ${sector} "${org}"`);
  }
  await command('carol', 'role <@U0FRANK> member,chair');
  await command('carol', 'consult "Bus routes" by 2027-01-29');
  const poll = inChannel(await command('carol', 'pulse start short days=3'));
  for (const [i, voter] of VOTERS.entries()) {
    const trust = findButton(poll, (b) => b.value.endsWith(`:trust:${1 + (i % 5)}`), 'trust');
    await w.press(person(voter), trust.actionId, trust.value);
    const openness = findButton(poll, (b) => b.value.endsWith(`:openness:${5 - (i % 3)}`), 'openness');
    await w.press(person(voter), openness.actionId, openness.value);
  }
}, 60_000);

afterAll(async () => {
  await w?.stop();
});

describe('charts and documents in Slack', () => {
  it('shares the trend chart of a closed poll in the channel, after the results', async () => {
    const before = w.fake.uploads.length;
    const from = w.fake.mark();
    await command('carol', 'pulse close');
    const [chart, ...more] = await uploadsAfter(before, 1);
    expect(more).toEqual([]);
    expect(chart!.channel).toBe(CH);
    expect(chart!.filename).toMatch(/\.png$/);
    expect(chart!.title).toBe('Pulse trend: Northside CPP');
    expect(chart!.altText).toMatch(/Trust/);
    const png = decodePng(chart!.bytes);
    expect(png.width).toBeGreaterThan(300);
    expect(chart!.bytes.equals(await expectedTrendPng())).toBe(true);
    // The results went first, in the same channel, and do not point anywhere else for the chart.
    const results = inChannel(w.fake.since(from)).filter((c) => /[Mm]edian/.test(callText(c)));
    expect(results).toHaveLength(1);
    expect(callText(results[0]!)).not.toMatch(/direct message/);
    expect(w.fake.since(from, 'files.completeUploadExternal')[0]!.seq).toBeGreaterThan(results[0]!.seq);
    expect(w.fake.since(from, 'files.completeUploadExternal')[0]!.token).toBe(BOT_TOKEN);
  });

  it('/partner results answers privately and sends the chart to the person’s DM', async () => {
    const before = w.fake.uploads.length;
    const calls = await command('dan', 'results');
    const [chart] = await uploadsAfter(before, 1);
    const reply = ephemeral(calls);
    expect(reply).toHaveLength(1);
    expect(callText(reply[0]!)).toMatch(/[Mm]edian/);
    expect(callText(reply[0]!)).toMatch(/Pulse trend: Northside CPP.*sent to you as a direct message/);
    expect(inChannel(calls)).toEqual([]);
    // A file cannot be shared to a user id: the DM is opened first, and the chart shared there.
    expect(w.fake.since(calls[0]!.seq - 1, 'conversations.open').map((c) => c.args.users)).toEqual(['U0DAN']);
    expect(chart!.channel).toBe(dmOf('U0DAN'));
    decodePng(chart!.bytes);
    expect(chart!.bytes.equals(await expectedTrendPng())).toBe(true);
  });

  it('/partner review pack sends both charts and the PDF to the chair’s DM, in one message', async () => {
    await w.app.core.tick(new Date('2027-02-10T10:00:00Z'));
    const before = w.fake.uploads.length;
    const from = w.fake.mark();
    const calls = await command('frank', 'review pack');
    const files = await uploadsAfter(before, 3);
    expect(files.map((f) => f.channel)).toEqual([dmOf('U0FRANK'), dmOf('U0FRANK'), dmOf('U0FRANK')]);
    expect(files.map((f) => f.title).sort()).toEqual(['Pulse trend: Northside CPP', 'Review pack: Northside CPP', 'Who is heard: Northside CPP']);
    const completions = w.fake.since(from, 'files.completeUploadExternal');
    expect(completions).toHaveLength(1);
    expect(completions[0]!.args.files).toHaveLength(3);

    for (const png of files.filter((f) => f.filename.endsWith('.png'))) expect(decodePng(png.bytes).width).toBeGreaterThan(300);
    const pdf = files.find((f) => f.filename === 'review-pack.pdf')!;
    expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(await images(pdf.bytes)).toHaveLength(2);
    const text = (await pageTexts(pdf.bytes)).flat();
    expect(text).toEqual(expect.arrayContaining(['Review pack: Northside CPP', 'Pulse trends', 'Continue, change, or wind up?']));
    expect(text.join(' ')).toContain('Bus routes');

    const reply = callsText(ephemeral(calls));
    expect(reply).toMatch(/Review pack: Northside CPP.*sent to you as a direct message/);
    expect(reply).toMatch(/Who is heard: Northside CPP.*sent to you as a direct message/);
    expect(inChannel(calls)).toEqual([]);
  });

  it('/partner export me in a DM shares the JSON there, and it holds the member’s data', async () => {
    const dm = { id: dmOf('U0ALICE'), name: 'directmessage' };
    const before = w.fake.uploads.length;
    const from = w.fake.mark();
    const calls = await command('alice', 'export me', dm);
    const [file] = await uploadsAfter(before, 1);
    expect(file!.channel).toBe(dm.id);
    expect(w.fake.since(from, 'conversations.open')).toEqual([]);
    expect(file!.filename).toBe('partnerbot-me-2027-02-10.json');
    const data = JSON.parse(file!.bytes.toString('utf8'));
    expect(data.format).toBe('partnerbot/personal-export@1');
    expect(data.identity).toEqual({ platform: 'slack', workspace: TEAM, user: 'U0ALICE' });
    expect(data.memberships).toHaveLength(1);
    expect(data.memberships[0].partnership.name).toBe('Northside CPP');
    expect(data.memberships[0].member).toMatchObject({ name: 'alice', organisation: 'Northside Foodbank', sector: 'third' });
    expect(data.memberships[0].pollsTakenPart).toHaveLength(1);
    // The JSON is the file, not pasted into the reply.
    expect(callsText(ephemeral(calls))).not.toContain('partnerbot/personal-export@1');
    expect(callsText(ephemeral(calls))).toMatch(/Your data.*sent to you as a direct message/);
  });

  it('/partner export me in the channel shares the JSON in the person’s DM, never in the channel', async () => {
    const before = w.fake.uploads.length;
    const calls = await command('bob', 'export me');
    const [file] = await uploadsAfter(before, 1);
    expect(file!.channel).toBe(dmOf('U0BOB'));
    expect(JSON.parse(file!.bytes.toString('utf8')).memberships[0].member.name).toBe('bob');
    expect(inChannel(calls)).toEqual([]);
    expect(w.fake.uploads.some((u) => u.channel === CH && u.filename.endsWith('.json'))).toBe(false);
  });

  it('says so privately when Slack refuses the upload', async () => {
    w.fake.failNext('files.completeUploadExternal', { error: 'internal_error' });
    const before = w.fake.uploads.length;
    const from = w.fake.mark();
    await command('erin', 'results');
    await w.fake.waitFor(() => callsText(ephemeral(w.fake.since(from))).includes('could not attach'), 'the note about the failed upload', UPLOAD_WAIT_MS);
    expect(w.fake.uploads.length).toBe(before);
    expect(callsText(ephemeral(w.fake.since(from)))).toMatch(/could not attach Pulse trend: Northside CPP/);
  });

  it('calls only Web API methods whose scopes the manifest declares', () => {
    const methods = new Set(w.fake.calls.map((c) => c.method).filter((m) => m !== 'response_url'));
    for (const m of ['files.getUploadURLExternal', 'files.completeUploadExternal', 'conversations.open']) expect(methods).toContain(m);
    for (const m of methods) expect(Object.keys(METHOD_SCOPES)).toContain(m);
  });
});

describe('the outbox sender with files', () => {
  const withFile = message('Export', para(t('Attached.')), { kind: 'file', name: 'data.json', mime: 'application/json', title: 'Data', content: '{"a":1}' });
  const sender = () => {
    const client = new webApi.WebClient(BOT_TOKEN, clientOptions(w.fake.apiUrl, boltLogger(pino({ level: 'silent' }))));
    return slackSender({ clientFor: async () => client, readMedia: null });
  };

  it('shares a file after the message, in the channel, or in the DM a user id lands in', async () => {
    const before = w.fake.uploads.length;
    await sender().send({ kind: 'channel', platform: 'slack', workspace: TEAM, channel: CH }, withFile);
    await sender().send({ kind: 'user', platform: 'slack', workspace: TEAM, user: 'U0GINA' }, withFile);
    const files = w.fake.uploads.slice(before);
    expect(files.map((f) => [f.channel, f.filename, f.bytes.toString('utf8')])).toEqual([
      [CH, 'data.json', '{"a":1}'],
      [dmOf('U0GINA'), 'data.json', '{"a":1}'],
    ]);
  });

  it('describes a chart whose link has expired instead of failing the message', async () => {
    const from = w.fake.mark();
    const before = w.fake.uploads.length;
    const chart = message('Results', { kind: 'image', url: 'https://bot.example/media/gone.png', alt: 'Trust 3, openness 4', title: 'Pulse trend' });
    await sender().send({ kind: 'channel', platform: 'slack', workspace: TEAM, channel: CH }, chart);
    expect(w.fake.uploads.length).toBe(before);
    expect(callText(w.fake.since(from, 'chat.postMessage')[0]!)).toMatch(/Pulse trend: Trust 3, openness 4/);
  });

  it('reports a refused upload as permanent: the message is out, and a retry would post it twice', async () => {
    w.fake.failNext('files.completeUploadExternal', { error: 'internal_error' });
    const from = w.fake.mark();
    const err = await sender().send({ kind: 'channel', platform: 'slack', workspace: TEAM, channel: CH }, withFile).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(SendError);
    expect((err as SendError).opts.permanent).toBe(true);
    expect(w.fake.since(from, 'chat.postMessage')).toHaveLength(1);
  });
});
