// The Teams SDK side of the adapter: a teams-ai Application on a TeamsAdapter, the listeners, and the
// Sender for the dispatcher's proactive messages. index.ts loads this file on first use (the first
// request to /api/messages or the first Teams send), since the SDK is most of an idle bot's memory.
// The two classes from their own files: the package index also loads the AI planners, openai and a
// tokenizer, which partnerbot does not use (~13 MB resident and ~0.3 s of start-up).
import { Application } from '@microsoft/teams-ai/lib/Application.js';
import { TeamsAdapter } from '@microsoft/teams-ai/lib/TeamsAdapter.js';
import type { TurnState } from '@microsoft/teams-ai/lib/TurnState.js';
import { ActivityTypes } from 'botbuilder';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { AdapterContext } from '../../bot/platform.ts';
import { TeamsConversationStore } from '../../../db/teams-conversations.ts';
import type { TeamsConfig } from './config.ts';
import { disableClientRetries } from './connector.ts';
import { ConversationBook } from './conversations.ts';
import { Delivery } from './delivery.ts';
import { registerListeners } from './listeners.ts';
import { createTeamsSender, type TeamsSender } from './sender.ts';

export interface TeamsRuntime {
  /** Handles one POST /api/messages (its body already parsed). */
  handle(req: Request, res: Response): Promise<void>;
  sender: TeamsSender;
}

export function createTeamsRuntime(ctx: AdapterContext, config: TeamsConfig, log: Logger): TeamsRuntime {
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

  return {
    // The adapter checks the Bot Framework token (401 when it is missing or wrong) before the app runs.
    handle: (req, res) =>
      adapter.process(req, res, async (context) => {
        await app.run(context);
      }),
    sender: createTeamsSender({ book, delivery, store: ctx.deps.store, log }),
  };
}
