// What the local adapter needs from the bot (the same core every adapter uses), and how the
// dispatcher hands it outbox rows for platform 'local'.
export type { BotCore } from '../../bot/core.ts';
export type { Sender } from '../../bot/dispatcher.ts';
