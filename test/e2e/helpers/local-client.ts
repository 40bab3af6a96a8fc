// A small client for the local adapter's HTTP API, as a test (or a newcomer with curl) would use it.
import { encodeAction, type Action, type Message } from '../../../src/domain/message.ts';

export interface Posted {
  channel?: string;
  user?: string;
  text: string;
  message?: Message;
}

export class LocalClient {
  constructor(private readonly base: string) {}

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  }

  async command(user: string, text: string, channel?: string): Promise<Posted[]> {
    const { status, json } = await this.call('POST', '/local/commands', { user, text, ...(channel ? { channel } : {}) });
    if (status !== 200) throw new Error(`command "${text}" → ${status} ${JSON.stringify(json)}`);
    return json.messages;
  }

  async press(user: string, action: Action, channel?: string): Promise<Posted[]> {
    const { id, value } = encodeAction(action);
    const { status, json } = await this.call('POST', '/local/actions', { user, action: id, value, ...(channel ? { channel } : {}) });
    if (status !== 200) throw new Error(`press ${id}=${value} → ${status} ${JSON.stringify(json)}`);
    return json.messages;
  }

  async tick(now: string): Promise<Posted[]> {
    const { status, json } = await this.call('POST', '/local/tick', { now });
    if (status !== 200) throw new Error(`tick ${now} → ${status} ${JSON.stringify(json)}`);
    return json.messages;
  }

  async channel(name: string): Promise<Posted[]> {
    return (await this.call('GET', `/local/channels/${name}/messages`)).json.messages;
  }

  async dms(user: string): Promise<Posted[]> {
    return (await this.call('GET', `/local/users/${user}/messages`)).json.messages;
  }
}

/** Every button in a set of posted messages, with its action. */
export function buttons(posted: Posted[]): { label: string; action: Action }[] {
  const found: { label: string; action: Action }[] = [];
  for (const p of posted) {
    for (const block of p.message?.blocks ?? []) {
      if (block.kind === 'buttons' || block.kind === 'choice') found.push(...block.buttons);
    }
  }
  return found;
}

export function texts(posted: Posted[]): string {
  return posted.map((p) => p.text).join('\n---\n');
}
