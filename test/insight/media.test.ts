// Media links: unguessable (256-bit tokens), expiring, 404 afterwards, drawn on first fetch.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaStore, DEFAULT_MEDIA_TTL_MS } from '../../src/bot/media.ts';

let now = Date.parse('2027-01-01T00:00:00Z');
let produced = 0;
const store = new MediaStore({ baseUrl: () => base, now: () => now, ttlMs: 3600_000 });
let server: http.Server;
let base = '';

beforeAll(async () => {
  const app = express();
  app.use(store.router());
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
function put(download = false) {
  return store.put('trend', {
    png: {
      mime: 'image/png',
      produce: () => {
        produced++;
        return png;
      },
    },
  }, { download });
}

describe('media links', () => {
  it('are absolute, with 256 random bits in the token, different every time', () => {
    const tokens = Array.from({ length: 200 }, () => put().token);
    expect(new Set(tokens).size).toBe(200);
    for (const t of tokens) expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(tokens[0]!, 'base64url')).toHaveLength(32);
    // Every bit position varies across tokens: nothing fixed or counted.
    const bits = tokens.map((t) => [...Buffer.from(t, 'base64url')].map((byte) => byte.toString(2).padStart(8, '0')).join(''));
    for (let i = 0; i < 256; i++) expect(new Set(bits.map((b) => b[i])).size).toBe(2);
    const link = put();
    expect(link.urls.png).toBe(`${base}media/${link.token}.png`);
  });

  it('serve the bytes, produced only when first fetched, with safe headers', async () => {
    const before = produced;
    const link = put();
    expect(produced).toBe(before);
    const res = await fetch(link.urls.png!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('private, max-age=3600');
    expect(res.headers.get('content-disposition')).toBe('inline; filename="trend.png"');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(png);
    expect(produced).toBe(before + 1);
    const doc = put(true);
    expect((await fetch(doc.urls.png!)).headers.get('content-disposition')).toMatch(/^attachment/);
  });

  it('expire: 404 after the time to live, and are forgotten', async () => {
    const link = put();
    now += 3600_000 - 1;
    expect((await fetch(link.urls.png!)).status).toBe(200);
    now += 1;
    const res = await fetch(link.urls.png!);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(/expired/);
    expect(await store.read(link.urls.png!)).toBeNull();
  });

  it('404 for a token never issued, another extension, or a malformed name', async () => {
    const link = put();
    for (const path of [`media/${'A'.repeat(43)}.png`, `media/${link.token}.pdf`, `media/${link.token}`, `media/${link.token.slice(1)}.png`, 'media/..%2Fetc.png']) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(404);
    }
  });

  it('can be read back by an adapter without an HTTP round trip (to upload a file)', async () => {
    const link = put();
    expect(await store.read(link.urls.png!)).toEqual({ bytes: png, mime: 'image/png', name: 'trend.png' });
  });

  it('default to a day', () => {
    expect(DEFAULT_MEDIA_TTL_MS).toBe(24 * 3600_000);
  });
});
