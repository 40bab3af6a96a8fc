// A fake Slack Web API on 127.0.0.1: POST /api/<method> (form or JSON, Bearer token), answers like
// Slack ({ ok: true, ... }), records every call, and can be told to answer 429 + Retry-After or an
// error. Also takes response_url posts (POST /respond/<id>), hands out a Socket Mode URL, and runs
// the external file upload flow (files.getUploadURLExternal → POST /upload/<file id> with the bytes
// → files.completeUploadExternal), keeping each shared file with its bytes in `uploads`.
// For fault tests, every call carries the time it arrived (the fake's clock) and how it was answered,
// and a `plan` can answer calls with 429 + Retry-After, a 5xx, no answer at all (a timeout on the
// client's side), or a reset connection and the port closed for a while (connection refused).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';

export interface SlackCall {
  method: string;
  token: string | null;
  /** The arguments, with JSON-valued form fields (blocks, view) parsed. */
  args: Record<string, any>;
  seq: number;
  /** When it arrived, in performance.now() ms. */
  at: number;
  /** How the fake answered: 'ok', 'error' (ok: false), the HTTP status of a failure, 'hang' or 'reset'. */
  answer?: string;
}

export type Failure =
  | { status: 429; retryAfter: number }
  | { error: string }
  /** An HTTP failure with no Slack body (500, 502, 503 …). */
  | { status: number }
  /** Never answered: the client's timeout has to end it. */
  | { hang: true }
  /** The connection is reset, and the port is closed for `ms` (new connections are refused). */
  | { refuseForMs: number };

export interface FakeTeam {
  teamId: string;
  enterpriseId?: string;
  botUserId: string;
}

/** A file shared with files.completeUploadExternal, with the bytes posted to its upload_url. */
export interface SlackUpload {
  id: string;
  filename: string;
  title: string;
  altText: string | null;
  /** The conversation it was shared into (null: private to the bot). */
  channel: string | null;
  bytes: Buffer;
  seq: number;
}

interface PendingUpload {
  id: string;
  filename: string;
  length: number;
  altText: string | null;
  bytes: Buffer | null;
}

const JSON_FIELDS = ['blocks', 'view', 'attachments', 'metadata', 'files'];
/** What Slack's files.completeUploadExternal accepts as channel_id: a conversation, never a user. */
const CONVERSATION_ID = /^[CGDZ][A-Z0-9]{8,}$/;

/** The id of the bot's DM with a user, as this fake's conversations.open and chat.postMessage give it. */
export function dmOf(user: string): string {
  return `D${user.replace(/^[UW]/, '').padEnd(8, '0')}`;
}

export class FakeSlack {
  readonly calls: SlackCall[] = [];
  url = '';
  /** Bot tokens the fake accepts, and whose workspace they belong to. */
  readonly tokens = new Map<string, FakeTeam>();
  /** Display names for users.info. */
  readonly users = new Map<string, string>();
  /** What oauth.v2.access answers (the tests set the team to install). */
  oauthAccess: Record<string, unknown> | null = null;
  /** What apps.connections.open answers as the WebSocket URL. */
  socketUrl: string | null = null;
  /** Files shared with files.completeUploadExternal, in order. */
  readonly uploads: SlackUpload[] = [];
  private readonly pending = new Map<string, PendingUpload>();
  private fileSeq = 0;
  private readonly failures = new Map<string, { failure: Failure; when: (args: Record<string, any>) => boolean }[]>();
  /** Consulted for every call (after failNext): a failure to answer it with, or null to answer normally. */
  plan: ((call: SlackCall) => Failure | null) | null = null;
  /** While the port is closed (refuseForMs): resolves when it is open again. */
  closed: Promise<void> | null = null;
  /** Connections of calls left unanswered on purpose. */
  private readonly hung = new Set<import('node:net').Socket>();
  private server: http.Server | null = null;
  private seq = 0;
  private ts = 1_700_000_000;
  private readonly waiters = new Set<() => void>();

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  responseUrl(id: string): string {
    return `${this.url}/respond/${id}`;
  }

  /** The next calls of `method` answer with these failures, in order. */
  failNext(method: string, failure: Failure, when: (args: Record<string, any>) => boolean = () => true): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), { failure, when }]);
  }

  async start(): Promise<this> {
    const app = express();
    app.use(express.urlencoded({ extended: false, limit: '1mb' }), express.json({ limit: '1mb' }));
    app.post('/api/:method', (req, res) => this.api(req, res));
    // The bytes of an upload, raw or as multipart form data (what WebClient.filesUploadV2 sends).
    app.post('/upload/:id', express.raw({ type: () => true, limit: '20mb' }), async (req, res) => {
      const pending = this.pending.get(String(req.params.id));
      if (!pending) {
        res.status(404).send('unknown upload');
        return;
      }
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const type = req.get('content-type') ?? '';
      let bytes = raw;
      if (type.startsWith('multipart/form-data')) {
        const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
        const file = [...form.values()].find((v) => typeof v !== 'string') as Blob | undefined;
        bytes = file ? Buffer.from(await file.arrayBuffer()) : Buffer.alloc(0);
      }
      pending.bytes = bytes;
      res.type('text/plain').send(`OK - ${bytes.length}`);
    });
    app.post('/respond/:id', (req, res) => {
      this.record('response_url', null, { ...(req.body as object), response_id: req.params.id });
      res.json({ ok: true });
    });
    this.server = http.createServer(app);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    await this.closed;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  /** Calls from `from` on (a `mark()`), optionally of one method. */
  since(from: number, method?: string): SlackCall[] {
    return this.calls.filter((c) => c.seq > from && (!method || c.method === method));
  }

  mark(): number {
    return this.seq;
  }

  /** Waits (bounded) until `predicate` holds for the calls recorded; returns them. */
  async waitFor(predicate: (calls: SlackCall[]) => boolean, what = 'the expected Slack calls', timeoutMs = 5000): Promise<SlackCall[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.calls)) {
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.calls.slice(-15).map((c) => `${c.method} ${JSON.stringify(c.args).slice(0, 160)}`);
        throw new Error(`Timed out waiting for ${what}. Last calls:\n${seen.join('\n')}`);
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, 200));
        this.waiters.add(done);
      });
    }
    return this.calls;
  }

  /** Waits until no call has arrived for `ms` (replies to one request come one after another). */
  async quiet(ms = 80, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let seen = this.seq;
    for (;;) {
      await new Promise((r) => setTimeout(r, ms));
      if (this.seq === seen || Date.now() > deadline) return;
      seen = this.seq;
    }
  }

  private record(method: string, token: string | null, args: Record<string, any>): SlackCall {
    const call: SlackCall = { method, token, args, seq: ++this.seq, at: performance.now() };
    this.calls.push(call);
    for (const w of [...this.waiters]) w();
    return call;
  }

  private api(req: express.Request, res: express.Response): void {
    const method = String(req.params.method);
    const args: Record<string, any> = { ...(req.body as object) };
    for (const f of JSON_FIELDS) {
      if (typeof args[f] === 'string') {
        try {
          args[f] = JSON.parse(args[f]);
        } catch {
          /* keep the string */
        }
      }
    }
    const bearer = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? null;
    const token = bearer ?? (typeof args.token === 'string' ? args.token : null);
    delete args.token;
    const call = this.record(method, token, args);
    if (this.closed) {
      // The port is closed: a request on a connection kept alive from before is cut, not answered.
      call.answer = 'reset';
      req.socket.destroy();
      return;
    }

    const queue = this.failures.get(method) ?? [];
    const index = queue.findIndex((f) => f.when(args));
    const failure = index >= 0 ? queue.splice(index, 1)[0]!.failure : (this.plan?.(call) ?? undefined);
    if (failure && 'status' in failure && failure.status === 429 && 'retryAfter' in failure) {
      call.answer = '429';
      res.status(429).set('Retry-After', String(failure.retryAfter)).json({ ok: false, error: 'ratelimited' });
      return;
    }
    if (failure && 'status' in failure) {
      call.answer = String(failure.status);
      res.status(failure.status).type('text/html').send('<html><body>Service unavailable</body></html>');
      return;
    }
    if (failure && 'hang' in failure) {
      call.answer = 'hang';
      this.hung.add(req.socket);
      return;
    }
    if (failure && 'refuseForMs' in failure) {
      call.answer = 'reset';
      req.socket.destroy();
      this.refuseFor(failure.refuseForMs);
      return;
    }
    if (failure) {
      call.answer = 'error';
      res.json({ ok: false, error: failure.error });
      return;
    }
    const answer = this.answer(method, token, args);
    call.answer = answer.ok === true ? 'ok' : 'error';
    res.json(answer);
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

  private answer(method: string, token: string | null, args: Record<string, any>): Record<string, unknown> {
    if (method === 'oauth.v2.access') return this.oauthAccess ?? { ok: false, error: 'invalid_code' };
    if (method === 'apps.connections.open') return this.socketUrl ? { ok: true, url: this.socketUrl } : { ok: false, error: 'invalid_auth' };
    const team = token ? this.tokens.get(token) : undefined;
    if (!team) return { ok: false, error: 'invalid_auth' };
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://example.slack.com/', team: 'Example', user: 'partnerbot', team_id: team.teamId, user_id: team.botUserId, bot_id: `B${team.botUserId}`, enterprise_id: team.enterpriseId, is_enterprise_install: false };
      case 'chat.postMessage': {
        const ts = `${++this.ts}.000100`;
        // Like Slack, a post to a user id lands in (and answers with) the DM's own id.
        const channel = /^[UW]/.test(String(args.channel)) ? dmOf(String(args.channel)) : args.channel;
        return { ok: true, channel, ts, message: { ts, text: args.text, blocks: args.blocks } };
      }
      case 'conversations.open': {
        const users = String(args.users ?? '').split(',').filter(Boolean);
        if (users.length !== 1) return { ok: false, error: 'invalid_arguments' };
        return { ok: true, channel: { id: dmOf(users[0]!) } };
      }
      case 'files.getUploadURLExternal': {
        const length = Number(args.length);
        if (!args.filename || !Number.isInteger(length) || length < 1) return { ok: false, error: 'invalid_arguments' };
        const id = `F0FAKE${String(++this.fileSeq).padStart(5, '0')}`;
        this.pending.set(id, { id, filename: String(args.filename), length, altText: typeof args.alt_text === 'string' ? args.alt_text : null, bytes: null });
        return { ok: true, upload_url: `${this.url}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const channel = typeof args.channel_id === 'string' && args.channel_id ? args.channel_id : null;
        if (channel !== null && !CONVERSATION_ID.test(channel)) return { ok: false, error: 'invalid_arguments', detail: 'input must match regex pattern: ^[CGDZ][A-Z0-9]{8,}$ [json-pointer:/channel_id]' };
        const files = Array.isArray(args.files) ? (args.files as { id?: string; title?: string }[]) : [];
        const found = files.map((f) => this.pending.get(String(f.id)));
        if (!files.length || found.some((p) => !p?.bytes || p.bytes.length !== p.length)) return { ok: false, error: 'file_upload_failed' };
        const shared = files.map((f, i) => {
          const p = found[i]!;
          this.pending.delete(p.id);
          const upload: SlackUpload = { id: p.id, filename: p.filename, title: f.title ?? p.filename, altText: p.altText, channel, bytes: p.bytes!, seq: this.seq };
          this.uploads.push(upload);
          return upload;
        });
        return { ok: true, files: shared.map((u) => ({ id: u.id, name: u.filename, title: u.title, size: u.bytes.length, channels: u.channel ? [u.channel] : [] })) };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: `${++this.ts}.000200` };
      case 'views.open':
      case 'views.publish':
      case 'views.update':
        return { ok: true, view: { id: `V${this.seq}`, ...(args.view as object) } };
      case 'users.info': {
        const name = this.users.get(String(args.user));
        return name ? { ok: true, user: { id: args.user, name, real_name: name, profile: { display_name: name, real_name: name } } } : { ok: false, error: 'user_not_found' };
      }
      default:
        return { ok: true };
    }
  }
}
