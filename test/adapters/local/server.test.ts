import { describe, expect, it } from 'vitest';
import express from 'express';
import { createServer } from 'node:net';
import { startServer } from '../../../src/bot/server.ts';
import { recordingLogger } from './fake-core.ts';

describe('startServer', () => {
  it('mounts routers, reports health failures as 503 and stops accepting after close', async () => {
    const { log, lines } = recordingLogger();
    const router = express.Router();
    router.get('/ping', (_req, res) => {
      res.json({ pong: true });
    });
    const server = await startServer({
      host: '127.0.0.1',
      port: 0,
      routers: [router],
      healthy: async () => {
        throw new Error('database gone');
      },
      log,
    });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`${server.url}/ping`)).json()).toEqual({ pong: true });
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(503);
    expect(lines().some((l) => l.msg === 'health check failed')).toBe(true);

    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(2000); // idle keep-alive connections do not hold it open
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    await server.close(); // closing twice is harmless
  });

  it('rejects when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startServer({ host: '127.0.0.1', port, routers: [], healthy: async () => true, log: recordingLogger().log })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      blocker.close();
    }
  });
});
