// The Teams face of partnerbot, served at POST /api/messages on the bot's one HTTP server, with a
// Sender for the dispatcher's proactive messages. The Teams SDK (teams-ai, botbuilder: ~45 MB of an
// idle bot's ~175 MB resident) is loaded on first use, by the first request or the first send,
// whichever comes first (runtime.ts); until then Teams costs nothing, and /healthz never waits for it.
import express from 'express';
import type { AdapterContext, PlatformAdapter } from '../../bot/platform.ts';
import type { TeamsConfig } from './config.ts';
import { isLoopback } from '../../bot/loopback.ts';
import type { TeamsRuntime } from './runtime.ts';
import type { TeamsSender } from './sender.ts';

export const MESSAGES_PATH = '/api/messages';
/** Teams activities are small, but channelData and cards add up; far below this. */
const BODY_LIMIT = '512kb';

/** One load shared by every caller meanwhile; a failed load is forgotten, so the next caller tries again. */
export function loadOnce<A extends unknown[], T>(load: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
  let pending: Promise<T> | null = null;
  return (...args) =>
    (pending ??= load(...args).catch((err: unknown) => {
      pending = null;
      throw err;
    }));
}

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

  const runtime = loadOnce(async (firstUse: 'request' | 'send'): Promise<TeamsRuntime> => {
    const started = performance.now();
    try {
      const { createTeamsRuntime } = await import('./runtime.ts');
      const rt = createTeamsRuntime(ctx, config, log);
      log.info({ firstUse, ms: Math.round(performance.now() - started) }, 'teams: SDK loaded on first use');
      return rt;
    } catch (err) {
      log.error({ err, firstUse }, 'teams: could not load the Teams SDK; Teams requests get a 500 and sends are retried until it loads');
      throw err;
    }
  });

  const router = express.Router();
  router.post(MESSAGES_PATH, express.json({ limit: BODY_LIMIT }), async (req, res) => {
    let rt: TeamsRuntime;
    try {
      rt = await runtime('request');
    } catch {
      res.status(500).json({ error: 'The Teams adapter could not be loaded; see the bot’s log.' });
      return;
    }
    await rt.handle(req, res);
  });

  /** The loaded SDK for a send; a load failure is an ordinary (retried) send failure. */
  async function forSending(): Promise<TeamsRuntime> {
    try {
      return await runtime('send');
    } catch (err) {
      throw new Error(`The Teams SDK could not be loaded, so nothing was sent: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const sender: TeamsSender = {
    // The dispatcher awaits this before a send's time limit starts: loading takes ~0.3-1 s.
    ready: async () => void (await forSending()),
    send: async (target, message, hint) => (await forSending()).sender.send(target, message, hint),
  };

  return { platform: 'teams', router, sender };
}
