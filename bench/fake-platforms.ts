// One loopback fake for both chat platforms, built to stay cheap under load: it counts calls instead of
// recording them (the test fakes keep every call, which a 100k-request run would turn into memory).
// Slack: POST /api/<method> and POST /respond/<id> (response_url). Teams: the Bot Connector's
// /v3/conversations/... With `limits`, chat.postMessage is rate limited as Slack does it: one message a
// second per channel and a global rate (a token bucket), answering 429 + Retry-After in whole seconds,
// and it counts requests that arrive while a Retry-After it gave is still running.
// `FakePlatformsThread` runs it on a worker thread, as a real platform is not in the bot's process:
// its HTTP work then does not take turns with the bot's on one event loop.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

export interface RateLimits {
  /** Sustained messages a second for the workspace. */
  globalPerSecond: number;
  /** Messages allowed at once before the global rate applies. */
  globalBurst: number;
  /** Minimum ms between two messages into one channel (Slack: about 1000). */
  channelIntervalMs: number;
  /** Requests sent this long after a 429 are not yet counted as ignoring it (they were in flight). */
  inFlightGraceMs: number;
}

export class FakePlatforms {
  url = '';
  /** Calls by Slack method ("response_url" for response_url posts) or Teams op ("teams.reply" …). */
  readonly counts = new Map<string, number>();
  /** The last body received per call name (to check what a reply said). */
  readonly last = new Map<string, string>();
  /** Accepted chat.postMessage calls by channel. */
  readonly posted = new Map<string, number>();
  rateLimited = 0;
  /** Requests that arrived while a Retry-After we had given still ran (past the in-flight grace). */
  unhonoured = 0;
  firstPostAt = 0;
  lastPostAt = 0;
  private server: http.Server | null = null;
  private tokens = 0;
  private tokensAt = 0;
  private readonly lastByChannel = new Map<string, number>();
  /** Until when a global 429 asked the client to wait, and when it was given. */
  private globalHold = { given: 0, until: 0 };
  private readonly channelHold = new Map<string, { given: number; until: number }>();

  constructor(private readonly limits: RateLimits | null = null) {
    if (limits) this.tokens = limits.globalBurst;
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  count(name: string): number {
    return this.counts.get(name) ?? 0;
  }

  async start(): Promise<this> {
    this.server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.tokensAt = performance.now();
    return this;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private bump(name: string, raw = ''): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    this.last.set(name, raw);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      const raw = Buffer.concat(chunks).toString('utf8');
      const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      if (path.startsWith('/api/')) {
        const method = path.slice(5);
        this.bump(method, raw);
        if (method === 'auth.test') return json(200, { ok: true, team_id: 'T0BENCH', user_id: 'U0BOT', bot_id: 'B0BOT', team: 'Bench', user: 'partnerbot', url: 'https://bench.slack.com/' });
        if (method === 'chat.postMessage') return this.postMessage(raw, req.headers['content-type'] ?? '', json);
        if (method === 'users.info') return json(200, { ok: true, user: { id: 'U0', name: 'someone', profile: { display_name: 'Someone' } } });
        return json(200, { ok: true });
      }
      if (path.startsWith('/respond/')) {
        this.bump('response_url', raw);
        return json(200, { ok: true });
      }
      if (path.startsWith('/v3/conversations')) {
        if (req.method === 'GET') {
          this.bump('teams.getMember');
          return json(200, { id: '29:someone', name: 'Someone', aadObjectId: '00000000-0000-4000-8000-000000000000' });
        }
        const op = /\/activities\/[^/]+\/?$/.test(path) ? 'teams.reply' : /\/activities\/?$/.test(path) ? 'teams.send' : 'teams.createConversation';
        this.bump(op, raw);
        return json(op === 'teams.createConversation' ? 201 : 200, { id: `a-${this.count(op)}` });
      }
      json(404, { error: 'not found' });
    });
  }

  private postMessage(raw: string, contentType: string, json: (status: number, body: unknown, headers?: Record<string, string>) => void): void {
    const args = contentType.includes('json') ? (JSON.parse(raw || '{}') as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(raw));
    const channel = String(args.channel ?? '');
    const now = performance.now();
    const l = this.limits;
    if (l) {
      const grace = l.inFlightGraceMs;
      const hold = this.channelHold.get(channel);
      const ignored = (h: { given: number; until: number } | undefined) => h !== undefined && now > h.given + grace && now < h.until;
      if (ignored(this.globalHold) || ignored(hold)) this.unhonoured++;
      this.tokens = Math.min(l.globalBurst, this.tokens + ((now - this.tokensAt) / 1000) * l.globalPerSecond);
      this.tokensAt = now;
      const sinceLast = now - (this.lastByChannel.get(channel) ?? -Infinity);
      if (sinceLast < l.channelIntervalMs) {
        const wait = Math.max(1, Math.ceil((l.channelIntervalMs - sinceLast) / 1000));
        this.channelHold.set(channel, { given: now, until: now + wait * 1000 });
        return this.limited(wait, json);
      }
      if (this.tokens < 1) {
        const wait = Math.max(1, Math.ceil(((1 - this.tokens) / l.globalPerSecond)));
        this.globalHold = { given: now, until: now + wait * 1000 };
        return this.limited(wait, json);
      }
      this.tokens -= 1;
      this.lastByChannel.set(channel, now);
    }
    this.posted.set(channel, (this.posted.get(channel) ?? 0) + 1);
    if (!this.firstPostAt) this.firstPostAt = now;
    this.lastPostAt = now;
    const ts = `${1_700_000_000 + this.count('chat.postMessage')}.000100`;
    json(200, { ok: true, channel, ts, message: { ts } });
  }

  private limited(seconds: number, json: (status: number, body: unknown, headers?: Record<string, string>) => void): void {
    this.rateLimited++;
    json(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(seconds) });
  }
}

/** What a FakePlatformsThread reports; times are epoch milliseconds (performance.timeOrigin based,
 * so they compare across threads). */
export interface FakeStats {
  /** Channels that got at least one accepted chat.postMessage. */
  channels: number;
  /** Channels that got more than one. */
  twice: number;
  rateLimited: number;
  unhonoured: number;
  firstPostAt: number;
  lastPostAt: number;
}

type ToFake = { type: 'stats' } | { type: 'stop' };
type FromFake = { type: 'ready'; url: string } | { type: 'stats'; stats: FakeStats } | { type: 'stopped' };

const epoch = (monotonic: number) => (monotonic ? performance.timeOrigin + monotonic : 0);

/** The fake on a worker thread of its own. */
export class FakePlatformsThread {
  url = '';
  private constructor(private readonly worker: Worker) {}

  static async start(limits: RateLimits | null = null): Promise<FakePlatformsThread> {
    // A worker cannot start from a .ts file under tsx directly: its API imports this module.
    const here = JSON.stringify(import.meta.url);
    const worker = new Worker(`import('tsx/esm/api').then(({ tsImport }) => tsImport(${here}, ${here}))`, { eval: true, execArgv: [], workerData: { fakePlatforms: limits } });
    const fake = new FakePlatformsThread(worker);
    fake.url = (await fake.next('ready', () => undefined)).url;
    return fake;
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  async stats(): Promise<FakeStats> {
    return (await this.next('stats', () => this.worker.postMessage({ type: 'stats' } satisfies ToFake))).stats;
  }

  async stop(): Promise<void> {
    await this.next('stopped', () => this.worker.postMessage({ type: 'stop' } satisfies ToFake));
    await this.worker.terminate();
  }

  private next<T extends FromFake['type']>(type: T, ask: () => void): Promise<Extract<FromFake, { type: T }>> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: FromFake) => {
        if (m.type !== type) return;
        this.worker.off('message', onMessage);
        this.worker.off('error', reject);
        resolve(m as Extract<FromFake, { type: T }>);
      };
      this.worker.on('message', onMessage);
      this.worker.once('error', reject);
      ask();
    });
  }
}

if (!isMainThread && parentPort && workerData && 'fakePlatforms' in (workerData as object)) {
  const port = parentPort;
  const fake = await new FakePlatforms((workerData as { fakePlatforms: RateLimits | null }).fakePlatforms).start();
  port.on('message', (m: ToFake) => {
    if (m.type === 'stats') {
      const counts = [...fake.posted.values()];
      const stats: FakeStats = {
        channels: counts.length,
        twice: counts.filter((n) => n > 1).length,
        rateLimited: fake.rateLimited,
        unhonoured: fake.unhonoured,
        firstPostAt: epoch(fake.firstPostAt),
        lastPostAt: epoch(fake.lastPostAt),
      };
      port.postMessage({ type: 'stats', stats } satisfies FromFake);
    } else if (m.type === 'stop') {
      void fake.stop().then(() => port.postMessage({ type: 'stopped' } satisfies FromFake));
    }
  });
  port.postMessage({ type: 'ready', url: fake.url } satisfies FromFake);
}
