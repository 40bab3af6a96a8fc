// Socket Mode: with SLACK_APP_TOKEN the real Bolt SocketModeReceiver opens apps.connections.open on
// the fake Web API, connects to a fake Socket Mode WebSocket, and a slash command pushed over it is
// acknowledged on the socket and answered through the Web API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callText } from '../fakes/slack-blocks.ts';
import { FakeSocketMode } from '../fakes/slack-socket.ts';
import { fixture } from '../fakes/slack-requests.ts';
import { startSlackWorld, TEAM, type SlackWorld } from '../fakes/slack-world.ts';

let w: SlackWorld;
let socket: FakeSocketMode;

beforeAll(async () => {
  socket = await new FakeSocketMode().start();
  w = await startSlackWorld({ SLACK_APP_TOKEN: 'xapp-1-socket', SLACK_SIGNING_SECRET: '' }, { beforeStart: (fake) => (fake.socketUrl = socket.url) });
  await socket.ready;
});

afterAll(async () => {
  await w?.stop();
  await socket?.stop();
});

describe('Slack over Socket Mode', () => {
  it('connects with the app token and serves no /slack/events', async () => {
    const open = w.fake.calls.find((c) => c.method === 'apps.connections.open')!;
    expect(open.token).toBe('xapp-1-socket');
    expect((await fetch(`${w.app.url}/slack/events`, { method: 'POST' })).status).toBe(404);
  });

  it('acknowledges a slash command on the socket and answers it', async () => {
    const payload = { ...fixture<Record<string, string>>('slash-command'), team_id: TEAM, text: 'help', response_url: w.fake.responseUrl('socket-1') };
    socket.sendJson({ envelope_id: 'env-1', type: 'slash_commands', accepts_response_payload: true, payload });
    await w.fake.waitFor((calls) => calls.some((c) => c.method === 'response_url' && c.args.response_id === 'socket-1'), 'the help reply');
    expect(socket.received.some((m) => m.envelope_id === 'env-1')).toBe(true);
    const reply = w.fake.calls.find((c) => c.args.response_id === 'socket-1')!;
    expect(reply.args.response_type).toBe('ephemeral');
    expect(callText(reply)).toMatch(/partnerbot commands/);
  });
});
