// A fake Bot Connector on 127.0.0.1: what Teams' service behind `serviceUrl` does for a bot, with
// every call recorded. Send and reply (POST /v3/conversations/{id}/activities[/{replyToId}]), update
// (PUT …/activities/{id}), create conversation (POST /v3/conversations). It can be told to fail the
// next calls (429 with Retry-After, 5xx, 403) to test retries. For fault tests, every call carries the
// time it arrived (the fake's clock), and a `plan` can answer activity calls with a failure, with no
// answer at all (a timeout on the client's side), or reset the connection and close the port for a
// while (connection refused).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ConnectorOp = 'send' | 'reply' | 'update' | 'createConversation' | 'getMember' | 'other';

export interface ConnectorCall {
  op: ConnectorOp;
  method: string;
  path: string;
  /** Decoded conversation id from the path (for activity calls). */
  conversationId?: string;
  /** The activity id in the path: the replied-to or updated activity. */
  activityId?: string;
  authorization?: string;
  body: any;
  /** The status the fake answered (0: no answer, the connection hung or was reset). */
  status: number;
  /** When it arrived, in performance.now() ms. */
  at: number;
}

export interface Failure {
  status: number;
  headers?: Record<string, string>;
  /** Only calls into this conversation fail (default: any activity call). */
  conversationId?: string;
}

/** What a `plan` may do with a call besides failing it: leave it unanswered, or refuse connections for a while. */
export type Fault = Failure | { hang: true } | { refuseForMs: number };

const ACTIVITIES = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?\/?$/;
const MEMBER = /^\/v3\/conversations\/([^/]+)\/members\/([^/]+)\/?$/;

export class FakeBotConnector {
  readonly calls: ConnectorCall[] = [];
  private readonly failures: Failure[] = [];
  /** Teams users GET …/members/{id} can find, by per-bot user id (as Teams has them: name, AAD object id). */
  readonly members = new Map<string, { id: string; name: string; aadObjectId: string }>();
  /** Consulted for every activity call not failed by failNext: a fault, or null to answer normally. */
  plan: ((call: ConnectorCall) => Fault | null) | null = null;
  /** While the port is closed (refuseForMs): resolves when it is open again. */
  closed: Promise<void> | null = null;
  /** Connections of calls left unanswered on purpose. */
  private readonly hung = new Set<import('node:net').Socket>();
  private server: http.Server | null = null;
  private nextId = 1;
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/`;
    return this;
  }

  async stop(): Promise<void> {
    await this.closed;
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** The next `count` activity calls (matching `f.conversationId` if given) answer `f.status`. */
  failNext(count: number, f: Failure): void {
    for (let i = 0; i < count; i++) this.failures.push(f);
  }

  /** Successful posts (send or reply), optionally into one conversation. */
  posts(conversationId?: string): ConnectorCall[] {
    return this.calls.filter((c) => (c.op === 'send' || c.op === 'reply') && c.status >= 200 && c.status < 300 && (!conversationId || c.conversationId === conversationId));
  }

  /** Marks where a test step starts, for `since`. */
  mark(): number {
    return this.calls.length;
  }

  since(mark: number): ConnectorCall[] {
    return this.calls.slice(mark);
  }

  /** Closes the port for `ms`, then listens on it again. Idle and unanswered connections are cut, and
   * a request on a kept-alive one meanwhile is reset; a request being answered is answered (cutting it
   * could lose the answer to a message that was taken, and the client would rightly send it again). */
  private refuseFor(ms: number): void {
    const server = this.server;
    if (!server || this.closed) return;
    const { port } = server.address() as AddressInfo;
    this.closed = new Promise<void>((resolve) => {
      server.close();
      server.closeIdleConnections();
      for (const socket of this.hung) socket.destroy();
      this.hung.clear();
      setTimeout(() => {
        if (this.server !== server) return resolve();
        server.listen(port, '127.0.0.1', () => {
          this.closed = null;
          resolve();
        });
      }, ms);
    });
  }

  private takeFailure(conversationId: string | undefined): Failure | null {
    const i = this.failures.findIndex((f) => !f.conversationId || f.conversationId === conversationId);
    return i < 0 ? null : this.failures.splice(i, 1)[0]!;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any = null;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        body = raw;
      }
      const path = (req.url ?? '').split('?')[0]!;
      const method = req.method ?? 'GET';
      const m = ACTIVITIES.exec(path);
      let op: ConnectorOp = 'other';
      let conversationId: string | undefined;
      let activityId: string | undefined;
      if (m) {
        conversationId = decodeURIComponent(m[1]!);
        activityId = m[2] ? decodeURIComponent(m[2]) : undefined;
        op = method === 'PUT' ? 'update' : method === 'POST' ? (activityId ? 'reply' : 'send') : 'other';
      } else if (method === 'POST' && /^\/v3\/conversations\/?$/.test(path)) {
        op = 'createConversation';
      } else if (method === 'GET' && MEMBER.test(path)) {
        op = 'getMember';
      }
      const call: ConnectorCall = { op, method, path, body, status: 200, at: performance.now() };
      if (conversationId) call.conversationId = conversationId;
      if (activityId) call.activityId = activityId;
      if (req.headers.authorization) call.authorization = req.headers.authorization;
      this.calls.push(call);

      if (this.closed) {
        // The port is closed: a request on a connection kept alive from before is cut, not answered.
        call.status = 0;
        req.socket.destroy();
        return;
      }
      const activityCall = op !== 'other' && op !== 'getMember';
      const fault = activityCall ? (this.takeFailure(conversationId) ?? this.plan?.(call) ?? null) : null;
      if (fault && 'hang' in fault) {
        call.status = 0;
        this.hung.add(req.socket);
        return;
      }
      if (fault && 'refuseForMs' in fault) {
        call.status = 0;
        req.socket.destroy();
        this.refuseFor(fault.refuseForMs);
        return;
      }
      const failure = fault;
      if (failure) {
        call.status = failure.status;
        res.writeHead(failure.status, { 'content-type': 'application/json', ...(failure.headers ?? {}) });
        res.end(JSON.stringify({ error: { code: 'Fake', message: `fake connector answered ${failure.status}` } }));
        return;
      }
      if (op === 'getMember') {
        const member = this.members.get(decodeURIComponent(MEMBER.exec(path)![2]!));
        call.status = member ? 200 : 404;
        res.writeHead(call.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(member ? { ...member, userPrincipalName: `${member.name.split(' ')[0]!.toLowerCase()}@example.org`, tenantId: 'fake' } : { error: { code: 'MemberNotFoundInConversation' } }));
        return;
      }
      const answer = op === 'createConversation' ? { id: `a:created-${this.nextId++}` } : op === 'other' ? {} : { id: `act-${this.nextId++}` };
      res.writeHead(op === 'createConversation' ? 201 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  }
}

/** Every Adaptive Card in a call's activity. */
export function cardsOf(call: ConnectorCall): any[] {
  return ((call.body?.attachments ?? []) as any[]).filter((a) => a.contentType === 'application/vnd.microsoft.card.adaptive').map((a) => a.content);
}

/** All visible text of a card (TextBlocks, TextRuns, facts, inputs' labels, action titles), for assertions. */
export function cardText(card: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (n.type === 'TextBlock' && typeof n.text === 'string') out.push(n.text);
    if (n.type === 'RichTextBlock' && Array.isArray(n.inlines)) out.push(n.inlines.map((r: { text?: unknown }) => (typeof r.text === 'string' ? r.text : '')).join(''));
    if (typeof n.title === 'string') out.push(n.title);
    if (typeof n.value === 'string' && n.type === undefined) out.push(n.value);
    if (typeof n.label === 'string') out.push(n.label);
    for (const [k, v] of Object.entries(n)) if (k !== 'data' && k !== 'fallback' && k !== 'inlines' && typeof v === 'object') walk(v);
  };
  walk(card);
  return out.join('\n');
}

/** The text of everything a call posted: the activity text and its cards. */
export function callText(call: ConnectorCall): string {
  return [typeof call.body?.text === 'string' ? call.body.text : '', ...cardsOf(call).map(cardText)].join('\n');
}
