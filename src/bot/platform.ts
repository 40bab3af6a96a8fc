// What a chat platform adapter (Slack, Teams) plugs into the bot: routes on the one HTTP server, a
// Sender for the dispatcher, and optional start/stop (e.g. a Socket Mode connection).
import type express from 'express';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Platform } from '../domain/partnership.ts';
import type { BotCore } from './core.ts';
import type { Deps } from './context.ts';
import type { Sender } from './dispatcher.ts';

export interface PlatformAdapter {
  platform: Exclude<Platform, 'local'>;
  /** Mounted on the bot's one HTTP server (e.g. POST /slack/events, POST /api/messages). */
  router?: express.Router;
  sender: Sender;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

export interface AdapterContext {
  core: BotCore;
  deps: Deps;
  /** The bot's database, for the adapter's own tables (installations, conversation references);
   * each adapter declares its tables with `db.withTables<...>()`. */
  db: Kysely<any>;
  dialect: 'sqlite' | 'postgres';
  log: Logger;
  /** Where the server listens, for adapters that must refuse unsafe modes off loopback. */
  host: string;
  /** How long one call to the platform may wait for its answer (default 10 s). */
  requestTimeoutMs?: number;
}
