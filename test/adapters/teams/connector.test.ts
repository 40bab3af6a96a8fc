// Connector failures steer the dispatcher: Retry-After is honoured, a removed bot is permanent.
import { describe, expect, it } from 'vitest';
import { SendError } from '../../../src/bot/dispatcher.ts';
import { retryAfterMs, toSendError } from '../../../src/adapters/teams/connector.ts';

function restError(statusCode: number, headers: Record<string, string> = {}) {
  return Object.assign(new Error(`status ${statusCode}`), { statusCode, response: { headers: { get: (n: string) => headers[n.toLowerCase()] } } });
}

describe('toSendError', () => {
  it.each([412, 429, 502, 504])('%i is retried, after Retry-After when given', (status) => {
    const e = toSendError(restError(status, { 'retry-after': '12' }), 'a post');
    expect(e).toBeInstanceOf(SendError);
    expect((e as SendError).opts).toEqual({ retryAfterMs: 12_000 });
    expect((toSendError(restError(status), 'a post') as SendError).opts).toEqual({});
  });

  it.each([403, 404])('%i (the bot was removed) is permanent', (status) => {
    expect((toSendError(restError(status), 'a post') as SendError).opts).toEqual({ permanent: true });
  });

  it('leaves other failures to the ordinary backoff', () => {
    const e = toSendError(restError(500), 'a post');
    expect(e).not.toBeInstanceOf(SendError);
    expect(toSendError(new Error('ECONNREFUSED'), 'a post')).not.toBeInstanceOf(SendError);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds or an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs('Wed, 21 Oct 2026 07:28:10 GMT', Date.parse('2026-10-21T07:28:00Z'))).toBe(10_000);
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
