// The bot's one HTTP server. Adapters mount their routers on it (/local/*, later /slack/events and
// /api/messages). Bodies are parsed by each router, not here: Slack signature checks need the raw body.
// Every request gets an id (X-Request-Id, echoed back, in res.locals.requestId) that every log line
// written while serving it carries (see requestMixin); request lines log method, route, status and
// time, never headers or bodies.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.ts';

export const INTERNAL_ERROR = 'Something went wrong on our side; nothing you sent was lost.';
/** Largest JSON body a router should accept (the local API's longest field is 4000 characters). */
export const JSON_LIMIT = '100kb';
/** How long close() lets requests in flight finish before cutting their connections. */
const CLOSE_GRACE_MS = 5_000;

interface ParserError {
  status?: unknown;
  type?: unknown;
  expose?: unknown;
  message?: unknown;
  limit?: unknown;
}

/** A client's mistake reported by a body parser (http-errors with a 4xx status), as a JSON error; else null. */
export function clientError(err: unknown): { status: number; error: string } | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as ParserError;
  if (typeof e.status !== 'number' || e.status < 400 || e.status >= 500) return null;
  switch (e.type) {
    case 'entity.parse.failed':
      return { status: 400, error: 'The request body is not valid JSON.' };
    case 'entity.too.large':
      return { status: 413, error: `The request body is too large (the limit is ${JSON_LIMIT}).` };
    default:
      return { status: e.status, error: e.expose === true && typeof e.message === 'string' ? e.message : 'Bad request.' };
  }
}

/** The request being served, for log lines written deeper down (see `requestMixin`). */
export const requestContext = new AsyncLocalStorage<{ requestId: string }>();

/** A pino `mixin` adding the current request id to every log line: pino({ mixin: requestMixin }). */
export function requestMixin(): { reqId?: string } {
  const ctx = requestContext.getStore();
  return ctx ? { reqId: ctx.requestId } : {};
}

/** A caller's id if it looks like one (so nothing odd lands in logs), else a new one. */
function requestIdOf(req: Request): string {
  const given = req.get('x-request-id');
  return given && /^[\w.:-]{1,100}$/.test(given) ? given : randomUUID();
}

/** The route pattern (never ids or names from the path), for logs and metric labels. */
function routeOf(req: Request): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  return typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : 'unmatched';
}

function requestLogging(log: Logger, metrics: Metrics | undefined): RequestHandler {
  return (req, res, next) => {
    const requestId = requestIdOf(req);
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    const started = performance.now();
    res.on('finish', () => {
      const route = routeOf(req);
      metrics?.requests.inc({ method: req.method, route, status: String(res.statusCode) });
      if (route === '/healthz' || route === '/metrics') return;
      // The id as a field (not a child logger's binding): a mixin giving it too does not write it twice.
      log.info({ reqId: requestId, method: req.method, route, status: res.statusCode, ms: Math.round(performance.now() - started) }, 'request');
    });
    requestContext.run({ requestId }, next);
  };
}

function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = clientError(err);
    if (known) {
      res.status(known.status).json({ error: known.error });
      return;
    }
    log.error({ err, reqId: res.locals.requestId as string | undefined, method: req.method, path: req.path }, 'request failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(500).json({ error: INTERNAL_ERROR });
  };
}

export interface ServerOptions {
  host: string;
  port: number;
  routers: Router[];
  healthy: () => Promise<boolean>;
  log: Logger;
  /** Serves GET /metrics and counts requests. */
  metrics?: Metrics;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export function createApp(opts: Omit<ServerOptions, 'host' | 'port'>): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestLogging(opts.log, opts.metrics));
  const { metrics } = opts;
  if (metrics) {
    app.get('/metrics', async (_req, res, next) => {
      try {
        const body = await metrics.registry.metrics();
        res.type(metrics.registry.contentType).send(body);
      } catch (err) {
        next(err);
      }
    });
  }
  app.get('/healthz', async (_req, res) => {
    let ok = false;
    try {
      ok = await opts.healthy();
    } catch (err) {
      opts.log.warn({ err }, 'health check failed');
    }
    res.status(ok ? 200 : 503).json({ ok });
  });
  for (const r of opts.routers) app.use(r);
  app.use((req, res) => {
    res.status(404).json({ error: `Nothing here: ${req.method} ${req.path}` });
  });
  app.use(errorHandler(opts.log));
  return app;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const server = http.createServer(createApp(opts));
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(opts.port, opts.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;
  let closing: Promise<void> | null = null;
  return {
    url,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets would hold close() open; requests in flight get a grace period.
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
      });
      return closing;
    },
  };
}
