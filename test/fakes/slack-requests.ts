// Signed requests as Slack sends them to /slack/events (v0 HMAC-SHA256 of "v0:<timestamp>:<body>"),
// built from the real-shaped payloads in test/fixtures/slack/.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('../fixtures/slack/', import.meta.url));

export function fixture<T = Record<string, any>>(name: string): T {
  return JSON.parse(readFileSync(`${FIXTURES}${name}.json`, 'utf8')) as T;
}

export function signature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SignOptions {
  /** Seconds since the epoch; default now. */
  timestamp?: number;
  /** Replaces the computed signature; null sends none. */
  signature?: string | null;
}

export interface SlackRequest {
  body: string;
  contentType: string;
}

export function formRequest(fields: Record<string, string>): SlackRequest {
  return { body: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' };
}

export function interactionRequest(payload: unknown): SlackRequest {
  return formRequest({ payload: JSON.stringify(payload) });
}

export function eventRequest(envelope: unknown): SlackRequest {
  return { body: JSON.stringify(envelope), contentType: 'application/json' };
}

export class SlackSigner {
  constructor(
    readonly url: string,
    readonly secret: string,
  ) {}

  async post(req: SlackRequest, opts: SignOptions = {}): Promise<{ status: number; text: string; json: any }> {
    const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = { 'content-type': req.contentType, 'x-slack-request-timestamp': String(ts) };
    const sig = opts.signature === undefined ? signature(this.secret, ts, req.body) : opts.signature;
    if (sig !== null) headers['x-slack-signature'] = sig;
    const res = await fetch(`${this.url}/slack/events`, { method: 'POST', headers, body: req.body, signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: res.status, text, json };
  }
}

/** Everyone in the Slack story: user id, name. */
export interface SlackPerson {
  id: string;
  name: string;
}

/** The partnership's channel in the Slack stories (a realistic id: Slack's file sharing checks the shape). */
export const SLACK_CHANNEL = { id: 'C0NORTHCPP', name: 'northside-cpp' };

/** Builds the payloads of one workspace, pointing response_urls at the fake. */
export class SlackPayloads {
  private n = 0;
  constructor(
    readonly teamId: string,
    readonly responseUrl: (id: string) => string,
  ) {}

  command(user: SlackPerson, text: string, channel = SLACK_CHANNEL): SlackRequest & { responseId: string } {
    const responseId = `cmd-${++this.n}`;
    const f = fixture<Record<string, string>>('slash-command');
    return {
      ...formRequest({
        ...f,
        team_id: this.teamId,
        user_id: user.id,
        user_name: user.name,
        channel_id: channel.id,
        channel_name: channel.name,
        text,
        response_url: this.responseUrl(responseId),
        trigger_id: `trigger-${this.n}`,
      }),
      responseId,
    };
  }

  action(user: SlackPerson, actionId: string, value: string, where: { channel?: string | null; home?: boolean } = {}): SlackRequest & { responseId: string } {
    const responseId = `act-${++this.n}`;
    const p = fixture('block-actions');
    p.user = { id: user.id, username: user.name, name: user.name, team_id: this.teamId };
    p.team = { id: this.teamId, domain: 'northside' };
    p.trigger_id = `trigger-${this.n}`;
    p.actions[0].action_id = actionId;
    p.actions[0].value = value;
    if (where.home) {
      delete p.channel;
      delete p.message;
      delete p.response_url;
      p.container = { type: 'view', view_id: 'V0HOME' };
      p.view = { id: 'V0HOME', type: 'home', team_id: this.teamId, blocks: [], private_metadata: '', callback_id: '', state: { values: {} }, hash: 'h', app_id: 'A0PARTNER', bot_id: 'BU0BOT' };
    } else {
      const channel = where.channel ?? SLACK_CHANNEL.id;
      p.channel = { id: channel, name: channel.startsWith('D') ? 'directmessage' : SLACK_CHANNEL.name };
      p.container = { ...p.container, channel_id: channel };
      p.response_url = this.responseUrl(responseId);
    }
    return { ...interactionRequest(p), responseId };
  }

  submission(user: SlackPerson, callbackId: string, values: Record<string, Record<string, unknown>>, channel: string | null = SLACK_CHANNEL.id): SlackRequest {
    const p = fixture('view-submission');
    p.team = { id: this.teamId, domain: 'northside' };
    p.user = { id: user.id, username: user.name, name: user.name, team_id: this.teamId };
    p.view.callback_id = callbackId;
    p.view.private_metadata = JSON.stringify({ channel });
    p.view.state = { values };
    return interactionRequest(p);
  }

  event(name: 'app-home-opened' | 'member-joined-channel', event: Record<string, unknown>): SlackRequest {
    const e = fixture(name);
    e.team_id = this.teamId;
    e.authorizations[0].team_id = this.teamId;
    e.event = { ...e.event, ...event };
    e.event_id = `Ev${++this.n}`;
    return eventRequest(e);
  }
}
