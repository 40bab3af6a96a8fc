// The Slack baseline: a bare Bolt app on the same receiver type (ExpressReceiver) that acks and
// replies with a constant through the response_url, as partnerbot's command listener does.
import { App, ExpressReceiver } from '@slack/bolt';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { fail, serve } from './ipc.ts';

try {
  const receiver = new ExpressReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET ?? '' });
  const app = new App({
    receiver,
    clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
    authorize: async () => ({ botToken: process.env.SLACK_BOT_TOKEN ?? '', botId: 'B0BOT', botUserId: 'U0BOT' }),
  });
  app.command('/partner', async ({ ack, respond }) => {
    await ack();
    await respond({ response_type: 'ephemeral', replace_original: false, text: 'Thanks: your answer is recorded.' });
  });
  // The receiver's own express app, bound to loopback like partnerbot's server.
  const server: Server = receiver.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  serve(`http://127.0.0.1:${port}`, {}, async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
} catch (err) {
  fail(err);
}
