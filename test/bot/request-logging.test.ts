// Request lines (src/bot/server.ts): one per request, carrying its id once, as does every line
// written while serving it; and writing them does not make a logger per request.
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/bot/logger.ts';
import { requestMixin, startServer, type RunningServer } from '../../src/bot/server.ts';

const raw: string[] = [];
const log = createLogger({ level: 'info', mixin: requestMixin }, { write: (s: string) => void raw.push(s) });
let children = 0;
const child = log.child.bind(log);
log.child = ((...args: Parameters<typeof log.child>) => {
  children++;
  return child(...args);
}) as typeof log.child;

let server: RunningServer;

beforeAll(async () => {
  const router = express.Router();
  router.post('/work', async (_req, res) => {
    await new Promise((r) => setTimeout(r, 5));
    log.warn('deeper down');
    res.json({ ok: true });
  });
  server = await startServer({ host: '127.0.0.1', port: 0, routers: [router], healthy: async () => true, log });
});

afterAll(() => server?.close());

const linesOf = (id: string) => raw.filter((l) => l.includes(id));

describe('request logging', () => {
  it('writes the request id once on the request line and on lines written while serving it', async () => {
    const res = await fetch(`${server.url}/work`, { method: 'POST', headers: { 'x-request-id': 'req-once.1' } });
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 20));
    const lines = linesOf('req-once.1');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg).sort()).toEqual(['deeper down', 'request']);
    for (const line of lines) expect(line.match(/"reqId"/g)).toHaveLength(1);
    expect(JSON.parse(lines.find((l) => l.includes('"request"'))!)).toMatchObject({ reqId: 'req-once.1', method: 'POST', route: '/work', status: 200 });
  });

  it('makes no child logger per request', async () => {
    const before = children;
    for (let i = 0; i < 5; i++) await (await fetch(`${server.url}/work`, { method: 'POST' })).text();
    expect(children).toBe(before);
  });
});
