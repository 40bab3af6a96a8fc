// `npm run package:teams` builds a Teams app package that Teams would accept: the manifest's
// required fields and limits (schema v1.17), and icons of the right sizes and colours.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod/v4';
import { HELP_TOPICS } from '../../../src/domain/help.ts';
import { DEFAULT_OUT, fillManifest } from '../../../manifest/teams/package.ts';

const ROOT = join(import.meta.dirname, '../../..');
const APP_ID = '5d3f0000-0000-4000-8000-0000000000ab';
const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
const https = z.string().regex(/^https:\/\/\S+$/).max(2048);
const scope = z.enum(['team', 'personal', 'groupChat']);

// The required fields and limits of the Teams manifest schema v1.17 that apply to a bot app.
const Manifest = z.object({
  $schema: z.string().regex(/\/teams\/v1\.(1[7-9]|2\d)\/MicrosoftTeams\.schema\.json$/),
  manifestVersion: z.string().regex(/^1\.(1[7-9]|2\d)$/),
  version: z.string().regex(/^\d+\.\d+\.\d+$/),
  id: guid,
  developer: z.object({ name: z.string().min(1).max(32), websiteUrl: https, privacyUrl: https, termsOfUseUrl: https }),
  name: z.object({ short: z.string().min(1).max(30), full: z.string().max(100) }),
  description: z.object({ short: z.string().min(1).max(80), full: z.string().min(1).max(4000) }),
  icons: z.object({ color: z.string().min(1), outline: z.string().min(1) }),
  accentColor: z.string().regex(/^#[0-9a-fA-F]{6}$/),
  bots: z
    .array(
      z.object({
        botId: guid,
        scopes: z.array(scope).min(1),
        supportsFiles: z.boolean().optional(),
        isNotificationOnly: z.boolean().optional(),
        commandLists: z
          .array(
            z.object({
              scopes: z.array(scope).min(1),
              commands: z.array(z.object({ title: z.string().min(1).max(32), description: z.string().min(1).max(128) })).min(1).max(10),
            }),
          )
          .max(3),
      }),
    )
    .length(1),
  permissions: z.array(z.enum(['identity', 'messageTeamMembers'])).optional(),
  validDomains: z.array(z.string().regex(/^[^/:\s]+$/)).max(16),
});

let zip: JSZip;
let manifest: z.infer<typeof Manifest>;

beforeAll(async () => {
  const run = spawnSync('npm', ['run', '--silent', 'package:teams'], {
    cwd: ROOT,
    env: { ...process.env, MICROSOFT_APP_ID: APP_ID, TEAMS_BOT_DOMAIN: 'partnerbot.example.org' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.status, run.stderr).toBe(0);
  zip = await JSZip.loadAsync(readFileSync(DEFAULT_OUT));
  manifest = Manifest.parse(JSON.parse(await zip.file('manifest.json')!.async('string')));
}, 90_000);

async function png(name: string): Promise<PNG> {
  return PNG.sync.read(await zip.file(name)!.async('nodebuffer'));
}

describe('npm run package:teams', () => {
  it('zips manifest.json and the two icons at the top level, nothing else', () => {
    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
  });

  it('fills in the app id as the Teams app id and the bot id, and the bot domain', () => {
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots[0]!.botId).toBe(APP_ID);
    expect(manifest.validDomains).toEqual(['token.botframework.com', 'partnerbot.example.org']);
    expect(manifest.developer.websiteUrl).toBe('https://partnerbot.example.org');
    expect(JSON.stringify(manifest)).not.toContain('{{');
  });

  it('declares a bot for personal chats, teams and group chats, whose suggested commands the parser knows', () => {
    const bot = manifest.bots[0]!;
    expect([...bot.scopes].sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(new Set(bot.commandLists.flatMap((l) => l.scopes))).toEqual(new Set(['groupChat', 'personal', 'team']));
    for (const c of bot.commandLists.flatMap((l) => l.commands)) expect(HELP_TOPICS as readonly string[]).toContain(c.title);
    expect(bot.commandLists[0]!.commands.map((c) => c.title)).toEqual(expect.arrayContaining(['help', 'setup', 'join', 'consult', 'pulse', 'results', 'review', 'feedback', 'digest', 'status']));
  });

  it('has a 192×192 colour icon and a 32×32 outline icon that is white on transparent', async () => {
    expect(manifest.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
    const color = await png('color.png');
    expect([color.width, color.height]).toEqual([192, 192]);
    const outline = await png('outline.png');
    expect([outline.width, outline.height]).toEqual([32, 32]);
    let transparent = 0;
    let drawn = 0;
    for (let i = 0; i < outline.data.length; i += 4) {
      const [r, g, b, a] = [outline.data[i], outline.data[i + 1], outline.data[i + 2], outline.data[i + 3]];
      if (a === 0) transparent++;
      else {
        drawn++;
        expect([r, g, b]).toEqual([255, 255, 255]);
      }
    }
    expect(transparent).toBeGreaterThan(0);
    expect(drawn).toBeGreaterThan(0);
  });

  it('refuses to build without a valid app id, saying which variable is wrong', () => {
    expect(() => fillManifest({ appId: '' })).toThrow(/MICROSOFT_APP_ID/);
    expect(() => fillManifest({ appId: APP_ID, botDomain: 'not a domain' })).toThrow(/TEAMS_BOT_DOMAIN/);
    const run = spawnSync('npm', ['run', '--silent', 'package:teams'], { cwd: ROOT, env: { ...process.env, MICROSOFT_APP_ID: '' }, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/MICROSOFT_APP_ID must be/);
  });
});
