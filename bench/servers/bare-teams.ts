// The Teams baseline: a bare teams-ai echo bot (authentication off, as partnerbot's loopback tests run)
// on express at POST /api/messages, replying with a constant.
import { Application, TeamsAdapter, type TurnState } from '@microsoft/teams-ai';
import { ActivityTypes, MemoryStorage } from 'botbuilder';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { fail, serve } from './ipc.ts';

try {
  const adapter = new TeamsAdapter({});
  const app = new Application<TurnState>({ adapter, storage: new MemoryStorage(), startTypingTimer: false, removeRecipientMention: true });
  app.activity(ActivityTypes.Message, async (ctx) => {
    await ctx.sendActivity('Thanks: your answer is recorded.');
  });
  const web = express();
  web.post('/api/messages', express.json({ limit: '512kb' }), async (req, res) => {
    await adapter.process(req, res, async (context) => {
      await app.run(context);
    });
  });
  const server = web.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  serve(`http://127.0.0.1:${port}`, {}, async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
} catch (err) {
  fail(err);
}
