// Slack settings from the environment: one workspace (bot token) or many (OAuth install), over HTTP
// at /slack/events or over Socket Mode. Null when no Slack variable is set.
import { ConfigError, parseEncryptionKey } from '../../bot/config.ts';

export type SlackAuth =
  | { kind: 'single'; botToken: string }
  | {
      kind: 'oauth';
      clientId: string;
      clientSecret: string;
      stateSecret: string;
      /** Seals the installations (their bot tokens) in the database: PARTNERBOT_ENCRYPTION_KEY, when set. */
      encryptionKey?: Buffer;
    };

export interface SlackConfig {
  auth: SlackAuth;
  /** Verifies requests to /slack/events; not needed over Socket Mode. */
  signingSecret: string | null;
  /** Socket Mode instead of HTTP when an app-level token (xapp-…) is set. */
  appToken: string | null;
  /** Where the Web API lives (a local fake in tests), always ending in "/". */
  apiUrl: string;
}

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

export const SLACK_CONFIG_DOC: [string, string, string][] = [
  ['SLACK_SIGNING_SECRET', 'unset', 'Slack app signing secret (Basic Information): verifies every request to /slack/events. Setting any SLACK_ variable turns the Slack adapter on.'],
  ['SLACK_BOT_TOKEN', 'unset', 'Bot token (xoxb-…) for one workspace. Leave unset when installing into many workspaces with SLACK_CLIENT_ID.'],
  ['SLACK_CLIENT_ID', 'unset', 'OAuth client id: install into many workspaces at /slack/install (installations are kept in the database).'],
  ['SLACK_CLIENT_SECRET', 'unset', 'OAuth client secret; required with SLACK_CLIENT_ID.'],
  ['SLACK_STATE_SECRET', 'unset', 'Secret (16+ characters) that signs the OAuth state; required with SLACK_CLIENT_ID.'],
  ['SLACK_APP_TOKEN', 'unset', 'App-level token (xapp-…, connections:write): use Socket Mode instead of a public /slack/events URL (one workspace only).'],
  ['SLACK_API_URL', DEFAULT_SLACK_API_URL, 'Slack Web API base URL (tests point it at a local fake).'],
];

const SLACK_VARS = ['SLACK_SIGNING_SECRET', 'SLACK_BOT_TOKEN', 'SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET', 'SLACK_APP_TOKEN'] as const;

function value(env: NodeJS.ProcessEnv, name: string): string | null {
  const v = env[name]?.trim();
  return v ? v : null;
}

function need(env: NodeJS.ProcessEnv, name: string, why: string): string {
  const v = value(env, name);
  if (!v) throw new ConfigError(`${name} is missing: ${why}.`);
  return v;
}

function apiUrl(env: NodeJS.ProcessEnv): string {
  const raw = value(env, 'SLACK_API_URL') ?? DEFAULT_SLACK_API_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`SLACK_API_URL "${raw}" is not a URL: use e.g. ${DEFAULT_SLACK_API_URL}.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`SLACK_API_URL must start with https:// (or http:// for a local fake), not "${raw}".`);
  return raw.endsWith('/') ? raw : `${raw}/`;
}

export function slackConfig(env: NodeJS.ProcessEnv): SlackConfig | null {
  if (!SLACK_VARS.some((name) => value(env, name))) return null;
  const appToken = value(env, 'SLACK_APP_TOKEN');
  if (appToken && !appToken.startsWith('xapp-')) throw new ConfigError('SLACK_APP_TOKEN must be an app-level token starting with "xapp-" (Basic Information → App-Level Tokens, scope connections:write).');
  const oauth = value(env, 'SLACK_CLIENT_ID') || value(env, 'SLACK_CLIENT_SECRET') || value(env, 'SLACK_STATE_SECRET');
  let auth: SlackAuth;
  if (oauth) {
    if (value(env, 'SLACK_BOT_TOKEN')) throw new ConfigError('Set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID/SLACK_CLIENT_SECRET/SLACK_STATE_SECRET (install into many), not both.');
    if (appToken) throw new ConfigError('SLACK_APP_TOKEN (Socket Mode) works with one workspace only: unset it, or use SLACK_BOT_TOKEN instead of SLACK_CLIENT_ID.');
    const why = 'installing into many workspaces needs SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET';
    const stateSecret = need(env, 'SLACK_STATE_SECRET', why);
    if (stateSecret.length < 16) throw new ConfigError('SLACK_STATE_SECRET must be at least 16 characters.');
    const encryptionKey = parseEncryptionKey(env.PARTNERBOT_ENCRYPTION_KEY);
    auth = { kind: 'oauth', clientId: need(env, 'SLACK_CLIENT_ID', why), clientSecret: need(env, 'SLACK_CLIENT_SECRET', why), stateSecret, ...(encryptionKey ? { encryptionKey } : {}) };
  } else {
    const botToken = need(env, 'SLACK_BOT_TOKEN', 'give the bot token (xoxb-…) from OAuth & Permissions, or SLACK_CLIENT_ID/SLACK_CLIENT_SECRET/SLACK_STATE_SECRET to install into many workspaces');
    if (!botToken.startsWith('xoxb-')) throw new ConfigError('SLACK_BOT_TOKEN must be a bot token starting with "xoxb-".');
    auth = { kind: 'single', botToken };
  }
  const signingSecret = appToken
    ? value(env, 'SLACK_SIGNING_SECRET')
    : need(env, 'SLACK_SIGNING_SECRET', 'it verifies that requests to /slack/events come from Slack (Basic Information → Signing Secret)');
  return { auth, signingSecret, appToken, apiUrl: apiUrl(env) };
}
