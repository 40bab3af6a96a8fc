// Real-shaped Teams activities (from test/fixtures/teams) addressed to our app, and a client that
// posts them to /api/messages the way the Bot Connector service does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const TENANT = '72f988bf-0000-4000-8000-000000000000';
/** The partnership's channel: a team's General channel, whose id is also the team id. */
export const CHANNEL = '19:northside0general@thread.tacv2';
export const GROUP_CHAT = '19:meeting-partners@thread.v2';
export const BOT = { id: '28:partnerbot-app-id', name: 'partnerbot' };

export interface TeamsPerson {
  key: string;
  name: string;
  /** AAD object id: the identity partnerbot keeps. */
  aad: string;
  /** The per-bot user id ("29:…"), used for mentions. */
  id: string;
}

const KNOWN: Record<string, string> = {
  carol: '8f0c0000-0000-4000-8000-00000000ca01',
  alice: '8f0c0000-0000-4000-8000-00000000a11c',
  bob: '8f0c0000-0000-4000-8000-000000000b0b',
  erin: '8f0c0000-0000-4000-8000-00000000e111',
};

export function person(key: string, name: string): TeamsPerson {
  const aad = KNOWN[key] ?? `8f0c0000-0000-4000-8000-${Buffer.from(key).toString('hex').padStart(12, '0').slice(-12)}`;
  return { key, name, aad, id: `29:1${key}-per-bot-id` };
}

export function personalChatOf(p: TeamsPerson): string {
  return `a:1${p.key}-personal-chat`;
}

export type Where = { kind: 'channel' } | { kind: 'personal' } | { kind: 'group' };

function fixture(name: string): any {
  return JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/teams', `${name}.json`), 'utf8'));
}

let seq = 1_800_000_000_000;
function nextId(): string {
  return String(seq++);
}

function conversation(p: TeamsPerson, where: Where, thread?: string): any {
  if (where.kind === 'personal') return { conversationType: 'personal', tenantId: TENANT, id: personalChatOf(p) };
  if (where.kind === 'group') return { isGroup: true, conversationType: 'groupChat', tenantId: TENANT, id: GROUP_CHAT };
  return { isGroup: true, conversationType: 'channel', tenantId: TENANT, id: `${CHANNEL};messageid=${thread ?? nextId()}` };
}

function channelData(where: Where, base: any): any {
  if (where.kind === 'channel') return base;
  return { tenant: { id: TENANT } };
}

function address<T extends Record<string, any>>(a: T, p: TeamsPerson, where: Where, serviceUrl: string, thread?: string): T {
  return {
    ...a,
    serviceUrl,
    from: { id: p.id, name: p.name, aadObjectId: p.aad },
    conversation: conversation(p, where, thread),
    channelData: channelData(where, a.channelData),
  };
}

/** A typed message; in a channel or group chat it starts with the bot's @mention, as Teams sends it. */
export function textMessage(p: TeamsPerson, where: Where, text: string, serviceUrl: string): any {
  const base = fixture(where.kind === 'personal' ? 'message-personal' : 'message-channel');
  const id = nextId();
  const a = address({ ...base, id, text }, p, where, serviceUrl, id);
  if (where.kind === 'personal') return a;
  const mentioned = text.includes('<at>partnerbot</at>');
  a.entities = base.entities.filter((e: any) => e.type !== 'mention' || mentioned);
  a.attachments = [{ contentType: 'text/html', content: `<div>${text.replace('<at>partnerbot</at>', '<span itemscope="" itemtype="http://schema.skype.com/Mention" itemid="0">partnerbot</span>')}</div>` }];
  return a;
}

/** An Action.Execute press: an `adaptiveCard/action` invoke carrying the button's verb and data. */
export function executeInvoke(p: TeamsPerson, where: Where, data: Record<string, unknown>, serviceUrl: string, cardActivityId = '1799999999100'): any {
  const base = fixture('invoke-action-execute');
  const verb = String(data.verb);
  return address(
    { ...base, id: `f:${nextId()}`, replyToId: cardActivityId, value: { action: { type: 'Action.Execute', title: verb, verb, data }, trigger: 'manual' } },
    p,
    where,
    serviceUrl,
    cardActivityId,
  );
}

/** An Action.Submit press (older clients): a message with no text and the button's data as `value`. */
export function submitMessage(p: TeamsPerson, where: Where, data: Record<string, unknown>, serviceUrl: string, cardActivityId = '1799999999100'): any {
  const base = fixture('message-action-submit');
  return address({ ...base, id: nextId(), replyToId: cardActivityId, value: data }, p, where, serviceUrl, cardActivityId);
}

/** People added to the team (Teams reports it on the team's General channel). */
export function membersAdded(by: TeamsPerson, added: TeamsPerson[], serviceUrl: string): any {
  const base = fixture('conversation-update-members-added');
  return {
    ...base,
    id: `f:${nextId()}`,
    serviceUrl,
    from: { id: by.id, aadObjectId: by.aad },
    membersAdded: added.map((m) => ({ id: m.id, aadObjectId: m.aad })),
  };
}

/** The app installed for one person (their personal chat with the bot now exists). */
export function installPersonal(p: TeamsPerson, serviceUrl: string): any {
  const base = fixture('installation-update-personal');
  return { ...base, id: `f:${nextId()}`, serviceUrl, from: { id: p.id, aadObjectId: p.aad }, conversation: { ...base.conversation, id: personalChatOf(p) } };
}

export class TeamsClient {
  constructor(private readonly appUrl: string) {}

  async post(activity: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.appUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(activity),
    });
    const text = await res.text();
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body };
  }

  /** Posts and requires 200 (what the Bot Connector expects), returning the invoke response if any. */
  async ok(activity: unknown): Promise<any> {
    const { status, body } = await this.post(activity);
    if (status !== 200) throw new Error(`POST /api/messages → ${status} ${JSON.stringify(body)}`);
    return body;
  }
}
