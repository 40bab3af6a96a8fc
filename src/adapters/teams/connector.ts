// Calls to the Bot Connector: the outbox dispatcher owns retries, so the connector client must not
// retry on its own (its default policy retries 429 and 5xx three times, which would fight the
// dispatcher's backoff and multiply sends). Nor may a call wait for ever: the SDK sets no timeout,
// so an answer that never comes would hold a send (and its lease) until the process stops. And
// connector failures become SendErrors that steer the dispatcher.
import type { CloudAdapter } from 'botbuilder';
import { SendError } from '../../bot/dispatcher.ts';

interface RequestLike {
  timeout: number;
}
interface PolicyLike {
  name: string;
  sendRequest(request: RequestLike, next: (request: RequestLike) => Promise<unknown>): Promise<unknown>;
}
interface PipelineOwner {
  client?: { pipeline?: { removePolicy(options: { name?: string; phase?: string }): unknown; addPolicy(policy: PolicyLike): void } };
}

const TIMEOUT_POLICY = 'partnerbotTimeout';
interface ConnectorFactoryLike {
  create(serviceUrl: string, audience?: string): Promise<unknown>;
}
interface AuthLike {
  createConnectorFactory(claimsIdentity: unknown): ConnectorFactoryLike;
}

/** Every connector client the adapter makes (replies, proactive sends, create conversation) gets no
 * retry policy, and a timeout on each call. */
export function disableClientRetries(adapter: CloudAdapter, timeoutMs = 10_000): void {
  // CloudAdapter keeps its BotFrameworkAuthentication in a protected field; it makes every connector client.
  const auth = (adapter as unknown as { botFrameworkAuthentication: AuthLike }).botFrameworkAuthentication;
  const createFactory = auth.createConnectorFactory.bind(auth);
  auth.createConnectorFactory = (claimsIdentity) => {
    const factory = createFactory(claimsIdentity);
    return {
      async create(serviceUrl, audience) {
        const client = await factory.create(serviceUrl, audience);
        const pipeline = (client as PipelineOwner).client?.pipeline;
        pipeline?.removePolicy({ phase: 'Retry' });
        pipeline?.removePolicy({ name: TIMEOUT_POLICY });
        pipeline?.addPolicy({
          name: TIMEOUT_POLICY,
          sendRequest(request, next) {
            if (!(request.timeout > 0)) request.timeout = timeoutMs;
            return next(request);
          },
        });
        return client;
      },
    };
  };
}

/** Statuses Microsoft asks bots to retry with backoff. */
const RETRYABLE = new Set([412, 429, 502, 504]);
/** The bot was removed from the conversation, or the conversation is gone: no retry helps. */
const GONE = new Set([403, 404]);

interface HttpErrorLike {
  statusCode?: unknown;
  response?: { headers?: { get?(name: string): string | undefined } | Record<string, unknown> };
}

function headerOf(err: HttpErrorLike, name: string): string | undefined {
  const headers = err.response?.headers;
  if (!headers) return undefined;
  if (typeof headers.get === 'function') return (headers.get as (n: string) => string | undefined)(name) ?? undefined;
  const v = (headers as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}

/** Retry-After as seconds or an HTTP date, in milliseconds from `now`. */
export function retryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function statusOf(err: unknown): number | undefined {
  const s = (err as HttpErrorLike | null)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

/** A connector failure as the dispatcher should see it. */
export function toSendError(err: unknown, what: string): Error {
  const status = statusOf(err);
  const reason = err instanceof Error ? err.message : String(err);
  if (status !== undefined && RETRYABLE.has(status)) {
    const after = retryAfterMs(headerOf(err as HttpErrorLike, 'retry-after'));
    return new SendError(`Teams answered ${status} to ${what}; will retry.`, after === undefined ? {} : { retryAfterMs: after });
  }
  if (status !== undefined && GONE.has(status)) {
    return new SendError(`Teams answered ${status} to ${what}: the bot was removed from that conversation or it no longer exists.`, { permanent: true });
  }
  return err instanceof Error ? err : new Error(`${what} failed: ${reason}`);
}
