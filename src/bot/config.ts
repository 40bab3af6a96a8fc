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
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Variables documented in the README, in its order. */
export const CONFIG_DOC: [string, string, string][] = [
  ['PORT', '3978', 'HTTP port of the one server: local adapter, /slack/events, /api/messages, /healthz.'],
  ['HOST', '127.0.0.1', 'Address the server binds to.'],
  ['DATABASE_URL', './data/partnerbot.sqlite', 'A file path or sqlite: URL (embedded SQLite, WAL) or postgres://… (PostgreSQL, for several instances).'],
  ['PARTNERBOT_SECRET', 'generated into data/', 'Key for the anonymous voter hash (HMAC). Required with PostgreSQL so every instance shares it.'],
  ['LOG_LEVEL', 'info', 'pino log level: fatal, error, warn, info, debug, trace or silent.'],
  ['SCHEDULER', 'true', 'Run the every-minute scheduler and the outbox dispatcher.'],
  ['LOCAL_ADAPTER', 'true without chat credentials', 'The local HTTP adapter (/local/*), with /local/tick. Refused when Slack or Teams is configured.'],
  ['REPL', 'true when stdin is a terminal', 'A console to type commands as a named user.'],
  ['DISPATCH_MAX_ATTEMPTS', '8', 'Send attempts before a message is dead-lettered (shown in /partner status).'],
  ...SLACK_CONFIG_DOC,
  ...TEAMS_CONFIG_DOC,
];

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
  };
}
