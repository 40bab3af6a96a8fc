// The one way the bot makes a logger: pino, with secrets taken out before anything is written.
// One pass over what each log call is given (and over a child logger's bindings): fields named like
// secrets (tokens, passwords, Authorization headers, the database URL) are blanked at any depth, and
// secrets that arrive inside text (a postgres://user:password@ URL in an error message, a Slack
// token) are masked. Not pino's `redact`: its wildcard paths cost about half a millisecond a line.
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export const REDACTED = '[redacted]';

/** Field names that hold secrets, as seen in configs, SDKs and HTTP headers; compared without case. */
const SECRET_KEYS = [
  'token', 'accessToken', 'access_token', 'refreshToken', 'refresh_token', 'botToken', 'bot_token', 'appToken', 'userToken', 'idToken',
  'secret', 'clientSecret', 'client_secret', 'signingSecret', 'signing_secret', 'stateSecret', 'appPassword', 'MicrosoftAppPassword',
  'password', 'passwd', 'pass', 'apiKey', 'api_key', 'privateKey', 'encryptionKey', 'PARTNERBOT_SECRET', 'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET', 'SLACK_CLIENT_SECRET', 'TEAMS_APP_PASSWORD', 'authorization', 'cookie', 'x-slack-signature', 'databaseUrl',
  'DATABASE_URL', 'connectionString',
];
const SECRET_KEY_SET: ReadonlySet<string> = new Set(SECRET_KEYS.map((k) => k.toLowerCase()));

/** Whether a field of this name holds a secret (its value is then never written). */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY_SET.has(key.toLowerCase());
}

const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)@/gi;
const SLACK_TOKEN = /\bxox[abposre]-[A-Za-z0-9-]{8,}/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;

/** Text with URL passwords, Slack tokens and bearer credentials masked. */
export function scrubSecrets(text: string): string {
  return text.replace(URL_PASSWORD, `$1${REDACTED}@`).replace(SLACK_TOKEN, REDACTED).replace(BEARER, `$1 ${REDACTED}`);
}

/** How deep a logged value is searched for secrets; deeper parts are written as they are. */
const MAX_DEPTH = 6;

function scrubDeep(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH || seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1, seen));
  if (value instanceof Error) {
    // pino serialises errors later; give it a copy whose texts (and fields, e.g. a request's headers) are scrubbed.
    const copy = Object.create(Object.getPrototypeOf(value) as object) as Error;
    scrubFields(value, copy as unknown as Record<string, unknown>, depth, seen);
    copy.message = scrubSecrets(value.message);
    if (value.stack) copy.stack = scrubSecrets(value.stack);
    return copy;
  }
  return scrubFields(value, {}, depth, seen);
}

function scrubFields(from: object, into: Record<string, unknown>, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  for (const [k, v] of Object.entries(from)) into[k] = v !== undefined && v !== null && isSecretKey(k) ? REDACTED : scrubDeep(v, depth + 1, seen);
  return into;
}

/** Anything about to be logged, with its secrets blanked or masked (the logger does this itself). */
export function scrubForLog<T>(value: T): T {
  return scrubDeep(value, 0, new WeakSet()) as T;
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
    ...(config.mixin ? { mixin: config.mixin } : {}),
    hooks: {
      // Log calls may carry secrets in fields and inside strings (messages, format arguments, error texts).
      logMethod(args, method) {
        const seen = new WeakSet<object>();
        method.apply(this, args.map((a) => scrubDeep(a, 0, seen)) as Parameters<typeof method>);
      },
    },
  };
  const logger = destination ? pino(options, destination) : pino(options);
  // A child logger's bindings are written on each of its lines; children (and theirs) inherit this.
  const child = logger.child;
  logger.child = function (this: Logger, bindings, childOptions) {
    return child.call(this, scrubForLog(bindings), childOptions);
  } as typeof logger.child;
  return logger;
}
