// The one way the bot makes a logger: pino, with secrets taken out before anything is written.
// Two layers: `redact` blanks fields named like secrets (tokens, passwords, Authorization headers,
// the database URL) wherever they sit in the first few levels, and a scrub pass masks secrets that
// arrive inside text (a postgres://user:password@ URL in an error message, a Slack token).
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export const REDACTED = '[redacted]';

/** Field names that hold secrets, in any casing seen in configs, SDKs and HTTP headers. */
const SECRET_KEYS = [
  'token', 'accessToken', 'access_token', 'refreshToken', 'refresh_token', 'botToken', 'bot_token', 'appToken', 'userToken', 'idToken',
  'secret', 'clientSecret', 'client_secret', 'signingSecret', 'signing_secret', 'stateSecret', 'appPassword', 'MicrosoftAppPassword',
  'password', 'passwd', 'pass', 'apiKey', 'api_key', 'privateKey', 'encryptionKey', 'PARTNERBOT_SECRET', 'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET', 'SLACK_CLIENT_SECRET', 'TEAMS_APP_PASSWORD', 'authorization', 'Authorization', 'cookie', 'Cookie',
  'x-slack-signature', 'databaseUrl', 'DATABASE_URL', 'connectionString',
];

function path(prefix: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${prefix}${prefix ? '.' : ''}${key}` : `${prefix}["${key}"]`;
}

/** Every secret key at the top level and up to three levels down (pino's `*` is one level). */
export const REDACT_PATHS: string[] = SECRET_KEYS.flatMap((key) => ['', '*', '*.*', '*.*.*'].map((prefix) => path(prefix, key)));

const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)@/gi;
const SLACK_TOKEN = /\bxox[abposre]-[A-Za-z0-9-]{8,}/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;

/** Text with URL passwords, Slack tokens and bearer credentials masked. */
export function scrubSecrets(text: string): string {
  return text.replace(URL_PASSWORD, `$1${REDACTED}@`).replace(SLACK_TOKEN, REDACTED).replace(BEARER, `$1 ${REDACTED}`);
}

function scrubDeep(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (typeof value !== 'object' || value === null || depth > 6 || seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1, seen));
  if (value instanceof Error) {
    // pino serialises errors later; give it a copy whose texts are scrubbed.
    const copy = Object.assign(Object.create(Object.getPrototypeOf(value) as object) as Error, value);
    copy.message = scrubSecrets(value.message);
    if (value.stack) copy.stack = scrubSecrets(value.stack);
    return copy;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, depth + 1, seen);
  return out;
}

export interface LoggerConfig {
  level: LoggerOptions['level'];
  /** Extra fields on every line; default { app: 'partnerbot' }. */
  base?: Record<string, unknown>;
  /** Fields computed for every line (e.g. the request id: `requestMixin` in server.ts). */
  mixin?: LoggerOptions['mixin'];
}

export function createLogger(config: LoggerConfig, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level: config.level,
    base: config.base ?? { app: 'partnerbot' },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    ...(config.mixin ? { mixin: config.mixin } : {}),
    hooks: {
      // Log calls may carry secrets inside strings (messages, format arguments, error texts).
      logMethod(args, method) {
        method.apply(this, args.map((a) => scrubDeep(a, 0, new WeakSet())) as Parameters<typeof method>);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
