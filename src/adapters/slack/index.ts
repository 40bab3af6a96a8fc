// The Slack face of partnerbot: a Bolt app on an ExpressReceiver mounted on the bot's one server at
// POST /slack/events (with /slack/install and /slack/oauth_redirect when installing into many
// workspaces), or on Socket Mode when an app-level token is set.
import { App, ExpressReceiver, SocketModeReceiver, webApi, type Authorize } from '@slack/bolt';
import express from 'express';
import { SlackInstallations } from '../../../db/slack-installations.ts';
import { mediaFor } from '../../bot/media.ts';
import type { AdapterContext, PlatformAdapter } from '../../bot/platform.ts';
import { boltLogger, clientOptions, type WebClient } from './client.ts';
import type { SlackConfig } from './config.ts';
import type { MediaReader } from './files.ts';
import { registerListeners } from './listeners.ts';
import { slackSender } from './sender.ts';
import { BOT_SCOPES, EVENTS_PATH, INSTALL_PATH, REDIRECT_PATH } from './surface.ts';

/** One workspace's authorization. Bolt's own calls auth.test once at start and keeps a failure for
 * ever; this asks on the first request and asks again after a failure (Slack briefly unreachable). */
function singleWorkspace(client: WebClient, botToken: string): Authorize<boolean> {
  let ids: Promise<{ botId?: string; botUserId?: string; teamId?: string }> | null = null;
  return async () => {
    ids ??= client.auth.test().then(
      (r) => ({ botId: r.bot_id, botUserId: r.user_id, teamId: r.team_id }),
      (err: unknown) => {
        ids = null;
        throw err;
      },
    );
    const { botId, botUserId } = await ids;
    return { botToken, botId, botUserId };
  };
}

export async function createSlackAdapter(ctx: AdapterContext, config: SlackConfig): Promise<PlatformAdapter> {
  const logger = boltLogger(ctx.log);
  const options = clientOptions(config.apiUrl, logger, ctx.requestTimeoutMs);
  const installations = config.auth.kind === 'oauth' ? new SlackInstallations(ctx.db, () => ctx.deps.clock.now(), { encryptionKey: config.auth.encryptionKey }) : null;

  let router: express.Router | undefined;
  let receiver: ExpressReceiver | SocketModeReceiver;
  if (config.appToken) {
    receiver = new SocketModeReceiver({ appToken: config.appToken, logger, installerOptions: { clientOptions: options } });
  } else {
    router = express.Router();
    const oauth =
      config.auth.kind === 'oauth' && installations
        ? {
            clientId: config.auth.clientId,
            clientSecret: config.auth.clientSecret,
            stateSecret: config.auth.stateSecret,
            scopes: BOT_SCOPES,
            installationStore: installations,
            installerOptions: { clientOptions: options, installPath: INSTALL_PATH, redirectUriPath: REDIRECT_PATH, directInstall: false },
          }
        : {};
    receiver = new ExpressReceiver({ signingSecret: config.signingSecret ?? '', logger, router, endpoints: EVENTS_PATH, ...oauth });
  }

  // One client per bot token (the dispatcher's proactive sends, the single workspace's auth.test).
  const clients = new Map<string, WebClient>();
  const clientForToken = (token: string): WebClient => {
    let client = clients.get(token);
    if (!client) {
      client = new webApi.WebClient(token, options);
      clients.set(token, client);
    }
    return client;
  };
  const clientFor = async (workspace: string): Promise<WebClient | null> => {
    const token = config.auth.kind === 'single' ? config.auth.botToken : await installations!.botToken(workspace);
    return token ? clientForToken(token) : null;
  };

  const app = new App({
    receiver,
    logger,
    clientOptions: options,
    // No conversation store: nothing here keeps state in Bolt's context, and its default one answers
    // every request with a rejected lookup (an Error made, with its stack, per request).
    convoStore: false,
    ...(config.auth.kind === 'single' ? { authorize: singleWorkspace(clientForToken(config.auth.botToken), config.auth.botToken) } : {}),
  });
  // The media store is mounted after the adapters are made, so it is looked up when a file is sent.
  const readMedia: MediaReader = async (url) => (await mediaFor(ctx.deps)?.read(url)) ?? null;
  registerListeners(app, { core: ctx.core, log: ctx.log, readMedia });

  return {
    platform: 'slack',
    ...(router ? { router } : {}),
    sender: slackSender({ clientFor, readMedia }),
    async start() {
      if (receiver instanceof SocketModeReceiver) await app.start();
    },
    async stop() {
      if (receiver instanceof SocketModeReceiver) await app.stop();
    },
  };
}
