// The outbox dispatcher against a real store: sends, marks sent, retries with backoff, honours
// Retry-After, dead-letters, and never sends one row twice when flushes overlap.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Deps } from '../../src/bot/context.ts';
import { createDispatcher, DEFAULT_DISPATCH, retryDelayMs, SendError, type Sender } from '../../src/bot/dispatcher.ts';
import { message, para, type Message } from '../../src/domain/message.ts';
import type { Target } from '../../src/domain/partnership.ts';
import type { NewOutbox } from '../../src/domain/ports.ts';
import { seededStore, testDeps } from '../support/bot.ts';
import { partnership } from '../support/fixtures.ts';

const p = partnership();
const T0 = Date.parse('2026-12-01T10:00:00Z');
let now = T0;
let deps: Deps;

class RecordingSender implements Sender {
  sent: { target: Target; text: string }[] = [];
  failures: (Error | null)[] = [];
  async send(target: Target, m: Message): Promise<void> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    await new Promise((r) => setTimeout(r, 1)); // a real send takes time: lets flushes overlap
    this.sent.push({ target, text: m.heading ?? '' });
  }
}

function row(key: string): NewOutbox {
  return { key, partnershipId: p.id, target: { kind: 'channel', platform: 'local', workspace: 'local', channel: 'general' }, message: message(key, para('x')) };
}

beforeEach(async () => {
  now = T0;
  deps = testDeps(await seededStore(p, []), () => new Date(now));
});
afterEach(() => deps.store.close());

describe('dispatcher', () => {
  it('sends due rows in order, marks them sent, and sends nothing twice', async () => {
    const sender = new RecordingSender();
    await deps.store.enqueue([row('a'), row('b'), row('c')], new Date(now).toISOString());
    const d = createDispatcher(deps, { local: sender });
    expect(await d.flush()).toBe(3);
    expect(await d.flush()).toBe(0);
    expect(sender.sent.map((s) => s.text)).toEqual(['a', 'b', 'c']);
    expect(await deps.store.outboxCounts(p.id)).toMatchObject({ pending: 0, sent: 3, dead: 0 });
  });

  it('shares one run between overlapping flushes, so no row goes out twice', async () => {
    const sender = new RecordingSender();
    await deps.store.enqueue(['a', 'b', 'c', 'd', 'e'].map(row), new Date(now).toISOString());
    const d = createDispatcher(deps, { local: sender });
    await Promise.all([d.flush(), d.flush(), d.flush()]);
    expect(sender.sent.map((s) => s.text)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('retries a failed send after a backoff, not before', async () => {
    const sender = new RecordingSender();
    sender.failures.push(new Error('socket hang up'));
    await deps.store.enqueue([row('a')], new Date(now).toISOString());
    const d = createDispatcher(deps, { local: sender });
    expect(await d.flush()).toBe(0);
    now += DEFAULT_DISPATCH.baseDelayMs / 2 - 1_000; // equal jitter: never sooner than half the backoff
    expect(await d.flush()).toBe(0);
    now += DEFAULT_DISPATCH.baseDelayMs;
    expect(await d.flush()).toBe(1);
    expect(sender.sent).toHaveLength(1);
  });

  it('waits exactly as long as Retry-After says', async () => {
    const sender = new RecordingSender();
    sender.failures.push(new SendError('ratelimited', { retryAfterMs: 7_000 }));
    await deps.store.enqueue([row('a')], new Date(now).toISOString());
    const d = createDispatcher(deps, { local: sender });
    await d.flush();
    now += 6_999;
    expect(await d.flush()).toBe(0);
    now += 1;
    expect(await d.flush()).toBe(1);
  });

  it('dead-letters after maxAttempts, and at once for a permanent failure, keeping the reason', async () => {
    const sender = new RecordingSender();
    sender.failures.push(new Error('e1'), new Error('e2'), new Error('e3'));
    await deps.store.enqueue([row('flaky')], new Date(now).toISOString());
    const d = createDispatcher(deps, { local: sender }, { maxAttempts: 3 });
    for (let i = 0; i < 3; i++) {
      await d.flush();
      now += DEFAULT_DISPATCH.maxDelayMs;
    }
    expect(await deps.store.outboxCounts(p.id)).toMatchObject({ pending: 0, sent: 0, dead: 1 });

    sender.failures.push(new SendError('channel_not_found', { permanent: true }));
    await deps.store.enqueue([row('gone')], new Date(now).toISOString());
    await d.flush();
    expect(await deps.store.outboxCounts(p.id)).toMatchObject({ pending: 0, dead: 2 });
    expect(sender.sent).toHaveLength(0);
  });

  it('keeps rows for a platform with no adapter running, and retries them later', async () => {
    await deps.store.enqueue([{ ...row('s'), target: { kind: 'channel', platform: 'slack', workspace: 'T1', channel: 'C1' } }], new Date(now).toISOString());
    const d = createDispatcher(deps, {});
    expect(await d.flush()).toBe(0);
    expect(await deps.store.outboxCounts(p.id)).toMatchObject({ pending: 1, dead: 0 });
  });

  it('backs off exponentially up to the cap, with jitter in [half, full]', () => {
    const o = DEFAULT_DISPATCH;
    expect(retryDelayMs(1, o, () => 0)).toBe(o.baseDelayMs / 2);
    expect(retryDelayMs(1, o, () => 1)).toBe(o.baseDelayMs);
    expect(retryDelayMs(3, o, () => 1)).toBe(o.baseDelayMs * 4);
    expect(retryDelayMs(30, o, () => 1)).toBe(o.maxDelayMs);
  });
});
