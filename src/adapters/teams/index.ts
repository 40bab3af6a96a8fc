// The Teams face of partnerbot: a teams-ai Application on a TeamsAdapter, served at POST /api/messages
// on the bot's one HTTP server, with a Sender for the dispatcher's proactive messages.
// The two classes from their own files: the package index also loads the AI planners, openai and a
// tokenizer, which partnerbot does not use (~13 MB resident and ~0.3 s of start-up).
import { Application } from '@microsoft/teams-ai/lib/Application.js';
import { TeamsAdapter } from '@microsoft/teams-ai/lib/TeamsAdapter.js';
import type { TurnState } from '@microsoft/teams-ai/lib/TurnState.js';
import { ActivityTypes } from 'botbuilder';
import express from 'express';
import type { AdapterContext, PlatformAdapter } from '../../bot/platform.ts';
import { TeamsConversationStore } from '../../../db/teams-conversations.ts';
import type { TeamsConfig } from './config.ts';
import { disableClientRetries } from './connector.ts';
import { ConversationBook } from './conversations.ts';
import { Delivery } from './delivery.ts';
import { registerListeners } from './listeners.ts';
import { isLoopback } from '../../bot/loopback.ts';
import { createTeamsSender } from './sender.ts';

export const MESSAGES_PATH = '/api/messages';
/** Teams activities are small, but channelData and cards add up; far below this. */
const BODY_LIMIT = '512kb';

export async function createTeamsAdapter(ctx: AdapterContext, config: TeamsConfig): Promise<PlatformAdapter> {
  const log = ctx.log.child({ platform: 'teams' });
  if (!config.appId) {
    if (!isLoopback(ctx.host)) {
      throw new Error(`Teams without MICROSOFT_APP_ID (authentication off) is refused on HOST=${ctx.host}: set MICROSOFT_APP_ID and its password, or bind to 127.0.0.1.`);
    }
    log.warn(
      '!!! Teams authentication is OFF (TEAMS_ENABLED=true without MICROSOFT_APP_ID): anyone who can reach this port can act as anyone. For the Bot Framework Emulator and tests only. !!!',
    );
  }

  const adapter = new TeamsAdapter(
    config.appId
      ? {
          MicrosoftAppId: config.appId,
          MicrosoftAppPassword: config.appPassword,
          MicrosoftAppTenantId: config.tenantId,
          MicrosoftAppType: config.appType,
        }
      : {},
  );
  disableClientRetries(adapter, ctx.requestTimeoutMs);
  adapter.onTurnError = async (context, error) => {
    // Our own proactive turns (continueConversation, createConversation) run as "event" activities:
    // their caller (the Sender) must see the failure to steer the dispatcher's retry.
    if (context.activity.type === ActivityTypes.Event) throw error;
    log.error({ err: error, type: context.activity.type, name: context.activity.name }, 'teams: turn failed');
  };

  // Turn state is not used for anything: what matters is in our database. So no storage either (each
  // turn would read and parse the stored state of its conversation and person).
  const app = new Application<TurnState>({ adapter, botAppId: config.appId, startTypingTimer: false, removeRecipientMention: true });
  const book = new ConversationBook(new TeamsConversationStore(ctx.db), ctx.deps.clock);
  const delivery = new Delivery({ adapter, appId: config.appId, book, log });
  registerListeners(app, { core: ctx.core, store: ctx.deps.store, book, delivery, log });

  const router = express.Router();
  router.post(MESSAGES_PATH, express.json({ limit: BODY_LIMIT }), async (req, res) => {
    // The adapter checks the Bot Framework token (401 when it is missing or wrong) before the app runs.
    await adapter.process(req, res, async (context) => {
      await app.run(context);
    });
  });

  return {
    platform: 'teams',
    router,
    sender: createTeamsSender({ book, delivery, store: ctx.deps.store, log }),
  };
}
