// Rendered images and documents, served by the bot itself at unguessable, expiring URLs
// (GET /media/<token>.<ext>), so Slack and Teams can fetch a chart and a person can open a PDF
// without the bot storing either anywhere. In memory only: a restart forgets every link, which is
// what "expiring" wants anyway. Bytes are produced on the first request, not when the link is made,
// so a chat reply never waits for a chart to be drawn.
import { randomBytes } from 'node:crypto';
import express from 'express';
import type { Deps } from './context.ts';

export type MediaExt = 'png' | 'svg' | 'pdf' | 'json';

export interface MediaVariant {
  mime: string;
  produce(): Promise<Uint8Array> | Uint8Array;
}

export interface MediaLink {
  token: string;
  /** Absolute URL per variant, e.g. { png: 'https://bot.example/media/Xy…Q.png' }. */
  urls: Partial<Record<MediaExt, string>>;
  expiresAt: Date;
}

interface Item {
  /** File name offered for download, without extension. */
  name: string;
  variants: Partial<Record<MediaExt, MediaVariant>>;
  expiresAt: number;
  /** Offered as a download (PDF) rather than shown inline (images). */
  download: boolean;
}

export interface MediaOptions {
  /** Base of the absolute URLs: PUBLIC_URL when set, else the server's own URL. */
  baseUrl: () => string;
  /** How long a link works; default 24 hours. */
  ttlMs?: number;
  /** Wall-clock milliseconds (tests move it); never the simulated clock, which /local/tick can jump. */
  now?: () => number;
  /** Most links kept at once; the oldest go first. */
  maxItems?: number;
}

export const DEFAULT_MEDIA_TTL_MS = 24 * 3600_000;
/** 32 random bytes: 256 bits, 43 characters of base64url. */
const TOKEN_BYTES = 32;
const FILE = /^([A-Za-z0-9_-]{43})\.(png|svg|pdf|json)$/;
const SAFE_NAME = /[^A-Za-z0-9._-]+/g;

export class MediaStore {
  private readonly items = new Map<string, Item>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly maxItems: number;

  constructor(private readonly opts: MediaOptions) {
    this.ttlMs = opts.ttlMs ?? DEFAULT_MEDIA_TTL_MS;
    this.now = opts.now ?? Date.now;
    this.maxItems = opts.maxItems ?? 2000;
  }

  /** Makes a new link to content produced on demand; every call gets a fresh token. */
  put(name: string, variants: Partial<Record<MediaExt, MediaVariant>>, opts: { download?: boolean } = {}): MediaLink {
    this.sweep();
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const expiresAt = this.now() + this.ttlMs;
    this.items.set(token, { name: name.replace(SAFE_NAME, '-').slice(0, 80) || 'file', variants, expiresAt, download: opts.download ?? false });
    while (this.items.size > this.maxItems) this.items.delete(this.items.keys().next().value!);
    const urls: Partial<Record<MediaExt, string>> = {};
    for (const ext of Object.keys(variants) as MediaExt[]) urls[ext] = this.url(token, ext);
    return { token, urls, expiresAt: new Date(expiresAt) };
  }

  url(token: string, ext: MediaExt): string {
    return `${this.opts.baseUrl().replace(/\/+$/, '')}/media/${token}.${ext}`;
  }

  /** The bytes behind a media URL (or "<token>.<ext>") while it works; null when unknown or expired.
   * Adapters use this to upload a file (Slack files API) without fetching their own URL. */
  async read(urlOrFile: string): Promise<{ bytes: Uint8Array; mime: string; name: string } | null> {
    const m = FILE.exec(urlOrFile.split('/').at(-1) ?? '');
    if (!m) return null;
    const item = this.live(m[1]!);
    const variant = item?.variants[m[2] as MediaExt];
    if (!item || !variant) return null;
    return { bytes: await variant.produce(), mime: variant.mime, name: `${item.name}.${m[2]}` };
  }

  router(): express.Router {
    const router = express.Router();
    router.get('/media/:file', async (req, res, next) => {
      try {
        const file = req.params.file;
        const m = FILE.exec(file);
        const item = m ? this.live(m[1]!) : null;
        const variant = item?.variants[m?.[2] as MediaExt];
        if (!m || !item || !variant) {
          res.status(404).json({ error: 'This link has expired or never existed. Ask the bot again for a fresh one.' });
          return;
        }
        const bytes = await variant.produce();
        const seconds = Math.max(0, Math.floor((item.expiresAt - this.now()) / 1000));
        res.set({
          'Content-Type': variant.mime,
          'Cache-Control': `private, max-age=${seconds}`,
          'X-Content-Type-Options': 'nosniff',
          'Referrer-Policy': 'no-referrer',
          // An SVG opened directly must not run anything, whatever text it carries.
          'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
          'Content-Disposition': `${item.download ? 'attachment' : 'inline'}; filename="${item.name}.${m[2]}"`,
        });
        res.send(Buffer.from(bytes));
      } catch (err) {
        next(err);
      }
    });
    return router;
  }

  get size(): number {
    return this.items.size;
  }

  private live(token: string): Item | null {
    const item = this.items.get(token);
    if (!item) return null;
    if (item.expiresAt <= this.now()) {
      this.items.delete(token);
      return null;
    }
    return item;
  }

  private sweep(): void {
    const now = this.now();
    for (const [token, item] of this.items) if (item.expiresAt <= now) this.items.delete(token);
  }
}

// Handlers reach the store through their Deps, without widening the Deps contract: the app mounts
// the router and the store is remembered for that Deps object.
const stores = new WeakMap<Deps, MediaStore>();

/** The media store of this app, or null when none is mounted (handlers then skip images and files). */
export function mediaFor(deps: Deps): MediaStore | null {
  return stores.get(deps) ?? null;
}

/**
 * Creates the app's media store and its router (mount it on the one server). `serverUrl` is read
 * when a link is made; `publicUrl` (PUBLIC_URL, validated in src/bot/config.ts) overrides it,
 * because Slack and Teams fetch images from outside.
 */
export function mediaRouter(deps: Deps, serverUrl: () => string, opts: Omit<MediaOptions, 'baseUrl'> & { publicUrl?: string | null } = {}): express.Router {
  const { publicUrl, ...rest } = opts;
  const store = new MediaStore({ ...rest, baseUrl: () => publicUrl || serverUrl() });
  stores.set(deps, store);
  return store.router();
}
