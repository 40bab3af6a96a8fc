// manifest/slack/manifest.yaml has the shape Slack documents for "Create app from manifest", and
// declares exactly what the code registers and uses: the command, the events, the scopes, the URLs.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { BOT_EVENTS, BOT_SCOPES, EVENTS_PATH, METHOD_SCOPES, REDIRECT_PATH, SLASH_COMMAND } from '../../../src/adapters/slack/surface.ts';

const manifest = parse(readFileSync(new URL('../../../manifest/slack/manifest.yaml', import.meta.url), 'utf8'));
const path = (url: string) => new URL(url).pathname;

describe('the Slack app manifest', () => {
  it('has the keys Slack requires, within their limits', () => {
    expect(manifest._metadata).toEqual({ major_version: 1, minor_version: 1 });
    const info = manifest.display_information;
    expect(typeof info.name).toBe('string');
    expect(info.name.length).toBeGreaterThan(0);
    expect(info.name.length).toBeLessThanOrEqual(35);
    expect(info.description.length).toBeLessThanOrEqual(140);
    expect(info.long_description.length).toBeGreaterThanOrEqual(174);
    expect(info.long_description.length).toBeLessThanOrEqual(4000);
    expect(info.background_color).toMatch(/^#[0-9a-f]{6}$/i);
    expect(manifest.features.bot_user.display_name.length).toBeLessThanOrEqual(80);
    expect(manifest.features.app_home).toMatchObject({ home_tab_enabled: true, messages_tab_enabled: true });
    expect(Array.isArray(manifest.oauth_config.scopes.bot)).toBe(true);
    expect(typeof manifest.settings.org_deploy_enabled).toBe('boolean');
    expect(typeof manifest.settings.socket_mode_enabled).toBe('boolean');
  });

  it('declares the one slash command the app registers, on /slack/events, with mentions escaped', () => {
    const commands = manifest.features.slash_commands;
    expect(commands).toHaveLength(1);
    expect(commands[0].command).toBe(SLASH_COMMAND);
    expect(path(commands[0].url)).toBe(EVENTS_PATH);
    expect(commands[0].should_escape).toBe(true);
    expect(commands[0].description.length).toBeLessThanOrEqual(2000);
  });

  it('sends interactivity and events to /slack/events, for exactly the events the app listens to', () => {
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(path(manifest.settings.interactivity.request_url)).toBe(EVENTS_PATH);
    expect(path(manifest.settings.event_subscriptions.request_url)).toBe(EVENTS_PATH);
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual([...BOT_EVENTS].sort());
  });

  it('asks for exactly the scopes the code uses, none unused', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(BOT_SCOPES);
    const fromMethods = Object.values(METHOD_SCOPES).filter(Boolean);
    for (const s of fromMethods) expect(manifest.oauth_config.scopes.bot).toContain(s);
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
  });

  it('redirects OAuth installs to /slack/oauth_redirect', () => {
    expect(manifest.oauth_config.redirect_urls.map(path)).toEqual([REDIRECT_PATH]);
  });
});
