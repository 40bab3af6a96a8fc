// Environment -> validated config, with errors that say which variable is wrong and why.
import { z } from 'zod/v4';
import { SLACK_CONFIG_DOC, slackConfig, type SlackConfig } from '../adapters/slack/config.ts';
import { TEAMS_CONFIG_DOC, teamsConfig, type TeamsConfig } from '../adapters/teams/config.ts';
import { isLoopback } from './loopback.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : ['true', '1', 'yes'].includes(v)));

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PARTNERBOT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  SCHEDULER: bool,
  LOCAL_ADAPTER: bool,
  REPL: bool,
  DISPATCH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
});

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  secret: string | undefined;
  scheduler: boolean;
  /** The local adapter: on when no chat platform is configured, never alongside one. */
  local: boolean;
  /** A console on stdin (only when it is a terminal, unless forced). */
  repl: boolean | undefined;
  maxAttempts: number;
  slack: SlackConfig | null;
  teams: TeamsConfig | null;
  /** 32 bytes that seal OAuth installation tokens at rest (PARTNERBOT_ENCRYPTION_KEY); null: stored plain. */
  encryptionKey: Buffer | null;
  /** Where people and platforms reach this bot from outside (PUBLIC_URL), no trailing slash; null: the server's own URL. */
  publicUrl: string | null;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Variables documented in the README, in its order. */
/** Delivery settings read by src/bot/reliability.ts. */
export const RELIABILITY_CONFIG_DOC: [string, string, string][] = [
  ['DISPATCH_CONCURRENCY', '8', 'Messages one instance sends at once; also the most a crash can send twice (each harmless by its key).'],
  ['CLAIM_LEASE_SECONDS', '60', 'How long an instance holds a claimed job or message; when it dies, another instance (or its restart) takes the work over after this.'],
];

export const CONFIG_DOC: [string, string, string][] = [
  ['PORT', '3978', 'HTTP port of the one server: local adapter, /slack/events, /api/messages, /healthz.'],
  ['HOST', '127.0.0.1', 'Address the server binds to.'],
  ['DATABASE_URL', './data/partnerbot.sqlite', 'A file path or sqlite: URL (embedded SQLite, WAL) or postgres://… (PostgreSQL, for several instances).'],
  ['PARTNERBOT_SECRET', 'generated into data/', 'Key for the anonymous voter hash (HMAC). Required with PostgreSQL so every instance shares it.'],
  ['PARTNERBOT_ENCRYPTION_KEY', 'unset (stored unencrypted)', '32 random bytes as 64 hex characters or base64 (`openssl rand -base64 32`): encrypts Slack installation tokens in the database (AES-256-GCM). Older records are encrypted on their next save; keep the key, without it they cannot be read.'],
  ['PUBLIC_URL', 'the server’s own URL', 'The bot’s public http(s) address, e.g. https://partnerbot.example.org: the base of the chart and document links Slack and Teams fetch.'],
  ['LOG_LEVEL', 'info', 'pino log level: fatal, error, warn, info, debug, trace or silent.'],
  ['SCHEDULER', 'true', 'Run the every-minute scheduler and the outbox dispatcher.'],
  ['LOCAL_ADAPTER', 'true without chat credentials', 'The local HTTP adapter (/local/*), with /local/tick. Refused when Slack or Teams is configured.'],
  ['REPL', 'true when stdin is a terminal', 'A console to type commands as a named user.'],
  ['DISPATCH_MAX_ATTEMPTS', '8', 'Send attempts before a message is dead-lettered (shown in /partner status).'],
  ...RELIABILITY_CONFIG_DOC,
  ...SLACK_CONFIG_DOC,
  ...TEAMS_CONFIG_DOC,
];

/** PARTNERBOT_ENCRYPTION_KEY as 32 bytes (64 hex characters, or base64 / base64url), null when unset. */
export function parseEncryptionKey(raw: string | undefined): Buffer | null {
  const v = raw?.trim();
  if (!v) return null;
  const key = /^[0-9a-f]{64}$/i.test(v) ? Buffer.from(v, 'hex') : /^[A-Za-z0-9+/_-]+={0,2}$/.test(v) ? Buffer.from(v, 'base64') : null;
  // The value itself is never repeated in the message: it is a secret.
  if (key?.length !== 32) throw new ConfigError('PARTNERBOT_ENCRYPTION_KEY must be 32 random bytes, written as 64 hex characters or in base64 (make one with: openssl rand -base64 32).');
  return key;
}

/** PUBLIC_URL as an absolute http(s) base without a trailing slash, null when unset. */
export function parsePublicUrl(raw: string | undefined): string | null {
  const v = raw?.trim();
  if (!v) return null;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ConfigError(`PUBLIC_URL "${v}" is not an absolute URL: give the bot's public address, e.g. https://partnerbot.example.org.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`PUBLIC_URL must start with https:// (or http://), not "${url.protocol}".`);
  if (url.username || url.password) throw new ConfigError('PUBLIC_URL must not contain a user name or password: it is shown in links.');
  if (url.search || url.hash) throw new ConfigError(`PUBLIC_URL must be a plain address without "?" or "#": links are made by adding /media/… to it.`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Bad configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const slack = slackConfig(env);
  const teams = teamsConfig(env);
  const chatConfigured = [...(slack ? ['Slack'] : []), ...(teams ? ['Teams'] : [])];
  if (chatConfigured.length && e.LOCAL_ADAPTER) {
    throw new ConfigError(`LOCAL_ADAPTER=true is refused while ${chatConfigured.join(' and ')} is configured: the local adapter can act as anyone.`);
  }
  const local = e.LOCAL_ADAPTER ?? chatConfigured.length === 0;
  if (local && !isLoopback(e.HOST)) {
    throw new ConfigError(`HOST=${e.HOST} is refused with the local adapter on: it lets anyone act as anyone, so it listens on loopback only (127.0.0.1).`);
  }
  const isPostgres = /^postgres(ql)?:\/\//.test(e.DATABASE_URL ?? '');
  if (isPostgres && !e.PARTNERBOT_SECRET) {
    throw new ConfigError('PARTNERBOT_SECRET is required with PostgreSQL, so that every instance hashes poll voters the same way.');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL || undefined,
    logLevel: e.LOG_LEVEL,
    secret: e.PARTNERBOT_SECRET,
    scheduler: e.SCHEDULER ?? true,
    local,
    repl: e.REPL,
    maxAttempts: e.DISPATCH_MAX_ATTEMPTS,
    slack,
    teams,
    encryptionKey: parseEncryptionKey(env.PARTNERBOT_ENCRYPTION_KEY),
    publicUrl: parsePublicUrl(env.PUBLIC_URL),
  };
}
