// The Web API client settings and error reading. The dispatcher owns retries and pacing, so the
// client makes no retry of its own (retryConfig: none; a 429 is rejected at once with Slack's
// Retry-After instead of being slept through and retried behind the dispatcher's back), and a call
// whose answer does not come within the timeout fails (the dispatcher retries it).
import { webApi, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from 'pino';
import { SendError } from '../../bot/dispatcher.ts';

export type WebClient = InstanceType<typeof webApi.WebClient>;
export type WebClientOptions = NonNullable<ConstructorParameters<typeof webApi.WebClient>[1]>;

export function clientOptions(apiUrl: string, logger: BoltLogger, timeoutMs = 10_000): WebClientOptions {
  return { slackApiUrl: apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logger, timeout: timeoutMs };
}

/** Slack errors that no retry fixes: the message is dead-lettered at once. */
export const PERMANENT_ERRORS = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'account_inactive',
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'no_permission',
  'missing_scope',
  'user_not_found',
  'user_disabled',
  'cannot_dm_bot',
  'restricted_action',
  'team_access_not_granted',
  'invalid_blocks',
  'invalid_arguments',
  'msg_too_long',
  'no_text',
]);

/** The `error` of a Slack platform error (`{ ok: false, error }`), or null. */
export function slackErrorCode(err: unknown): string | null {
  const data = (err as { data?: { error?: unknown } } | null)?.data;
  return typeof data?.error === 'string' ? data.error : null;
}

/** A Web API failure as the dispatcher's SendError (Retry-After, or permanent), else the error as is. */
export function toSendError(err: unknown): unknown {
  const e = err as { code?: unknown; retryAfter?: unknown; statusCode?: unknown } | null;
  if (e?.code === 'slack_webapi_rate_limited_error' && typeof e.retryAfter === 'number') {
    return new SendError(`Slack rate limit: retry after ${e.retryAfter} s`, { retryAfterMs: e.retryAfter * 1000 });
  }
  const code = slackErrorCode(err);
  if (code && PERMANENT_ERRORS.has(code)) return new SendError(`Slack refused the message: ${code}`, { permanent: true });
  if (code) return new SendError(`Slack refused the message: ${code}`);
  return err;
}

/** Bolt's logger interface on top of pino. */
export function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ component: 'slack' });
  let level = 'info';
  const msg = (args: unknown[]) => args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : JSON.stringify(a))).join(' ');
  return {
    debug: (...args: unknown[]) => child.debug(msg(args)),
    info: (...args: unknown[]) => child.info(msg(args)),
    warn: (...args: unknown[]) => child.warn(msg(args)),
    error: (...args: unknown[]) => child.error(msg(args)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level as ReturnType<BoltLogger['getLevel']>,
    setName: () => undefined,
  };
}
