// PUBLIC_URL: validated in the configuration (an absolute http(s) address, shown in links, so no
// credentials, query or fragment), and the base of every media link the running app makes.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startApp } from '../../src/bot/app.ts';
import { ConfigError, loadConfig } from '../../src/bot/config.ts';
import { mediaFor } from '../../src/bot/media.ts';

describe('PUBLIC_URL in the configuration', () => {
  it('is null when unset (links use the server’s own URL)', () => {
    expect(loadConfig({}).publicUrl).toBeNull();
    expect(loadConfig({ PUBLIC_URL: '  ' }).publicUrl).toBeNull();
  });

  it.each([
    ['https://partnerbot.example.org', 'https://partnerbot.example.org'],
    ['https://partnerbot.example.org/', 'https://partnerbot.example.org'],
    ['https://example.org/bots/partner//', 'https://example.org/bots/partner'],
    ['http://127.0.0.1:3978', 'http://127.0.0.1:3978'],
    ['  HTTPS://Partnerbot.Example.org:8443/x  ', 'https://partnerbot.example.org:8443/x'],
  ])('takes %s as %s', (written, base) => {
    expect(loadConfig({ PUBLIC_URL: written }).publicUrl).toBe(base);
  });

  it.each([
    ['partnerbot.example.org', /not an absolute URL/],
    ['/media', /not an absolute URL/],
    ['ftp://partnerbot.example.org', /must start with https:\/\//],
    ['javascript:alert(1)', /must start with https:\/\//],
    ['https://user:secret@partnerbot.example.org', /must not contain a user name or password/],
    ['https://partnerbot.example.org/?next=evil', /without "\?" or "#"/],
    ['https://partnerbot.example.org/#x', /without "\?" or "#"/],
  ])('refuses %s', (written, why) => {
    expect(() => loadConfig({ PUBLIC_URL: written })).toThrow(ConfigError);
    expect(() => loadConfig({ PUBLIC_URL: written })).toThrow(why);
  });
});

describe('PUBLIC_URL in the running app', () => {
  async function linkBase(env: Record<string, string>): Promise<{ url: string; link: string }> {
    const app = await startApp(loadConfig({ DATABASE_URL: ':memory:', PORT: '0', SCHEDULER: 'false', LOG_LEVEL: 'silent', ...env }), { log: pino({ level: 'silent' }) });
    try {
      const link = mediaFor(app.deps)!.put('chart', { png: { mime: 'image/png', produce: () => new Uint8Array([1]) } }).urls.png!;
      return { url: app.url, link };
    } finally {
      await app.stop();
    }
  }

  it('makes media links on PUBLIC_URL when set', async () => {
    const { link } = await linkBase({ PUBLIC_URL: 'https://partnerbot.example.org/' });
    expect(link).toMatch(/^https:\/\/partnerbot\.example\.org\/media\/[A-Za-z0-9_-]{43}\.png$/);
  });

  it('makes them on the server’s own URL otherwise, whatever the process environment says', async () => {
    const before = process.env.PUBLIC_URL;
    process.env.PUBLIC_URL = 'https://from-the-environment.example.org';
    try {
      const { url, link } = await linkBase({});
      expect(link.startsWith(`${url}/media/`)).toBe(true);
    } finally {
      if (before === undefined) delete process.env.PUBLIC_URL;
      else process.env.PUBLIC_URL = before;
    }
  });
});
