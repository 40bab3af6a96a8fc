// A loopback stand-in for the Slack Web API that the fault tests can hurt: it records every
// chat.postMessage with the time it arrived, answers after a small random delay (so several sends
// are in flight at any instant), and calls a hook on each arrival (to kill the bot right there).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Arrival {
  channel: string;
  text: string;
  /** ms on the receiver's clock. */
  at: number;
}

export class Receiver {
  readonly arrivals: Arrival[] = [];
  url = '';
  /** Called as each message arrives, before it is answered. */
  onArrival: (a: Arrival, count: number) => void = () => undefined;
  private server: http.Server | null = null;

  constructor(private readonly delayMs: [number, number] = [2, 20]) {}

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => this.answer(req, body, res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Keys ("channel|text") that arrived, with how many times each. */
  counts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const a of this.arrivals) counts.set(keyOf(a), (counts.get(keyOf(a)) ?? 0) + 1);
    return counts;
  }

  /** Waits (bounded) until `done` holds. */
  async until(done: () => boolean, what: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (${this.arrivals.length} messages arrived)`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private answer(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const method = /\/api\/([\w.]+)/.exec(req.url ?? '')?.[1] ?? '';
    const args = (req.headers['content-type'] ?? '').includes('json') ? (JSON.parse(body || '{}') as Record<string, string>) : Object.fromEntries(new URLSearchParams(body));
    let reply: Record<string, unknown> = { ok: true };
    if (method === 'auth.test') reply = { ok: true, team_id: 'T1', user_id: 'UBOT', bot_id: 'BBOT', team: 'Fault', user: 'partnerbot', url: 'https://fault.example/' };
    if (method === 'chat.postMessage') {
      const arrival = { channel: String(args.channel), text: String(args.text), at: Date.now() };
      this.arrivals.push(arrival);
      this.onArrival(arrival, this.arrivals.length);
      reply = { ok: true, channel: arrival.channel, ts: `${1_700_000_000 + this.arrivals.length}.000100` };
    }
    const [lo, hi] = this.delayMs;
    setTimeout(() => {
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    }, lo + Math.random() * (hi - lo));
  }
}

export function keyOf(a: Pick<Arrival, 'channel' | 'text'>): string {
  return `${a.channel}|${a.text}`;
}
