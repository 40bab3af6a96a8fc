// In-memory history of the local "platform": what was posted in each channel and sent to each person,
// oldest first. It is the Sender the dispatcher uses for outbox rows whose target platform is 'local'.
import type { Message } from '../../domain/message.ts';
import type { Target } from '../../domain/partnership.ts';
import type { Sender } from './bot-port.ts';
import { renderText } from './render.ts';

export interface InboxEntry {
  /** Increases with every entry across all conversations, so histories can be merged in order. */
  seq: number;
  /** Set for a channel post. */
  channel?: string;
  /** Set for a direct message: the person whose direct messages these are. */
  user?: string;
  /** null when the bot posted it; otherwise the local user who typed it (a command). */
  from: string | null;
  /** Plain-text rendering (for a typed command, the command itself). */
  text: string;
  /** The neutral model of a bot message. */
  message?: Message;
}

export const DEFAULT_INBOX_LIMIT = 1000;

export class Inbox implements Sender {
  private readonly channels = new Map<string, InboxEntry[]>();
  private readonly users = new Map<string, InboxEntry[]>();
  private seq = 0;
  private readonly limit: number;

  constructor(opts: { limit?: number } = {}) {
    this.limit = opts.limit ?? DEFAULT_INBOX_LIMIT;
  }

  async send(target: Target, message: Message): Promise<void> {
    if (target.platform !== 'local') {
      throw new Error(`The local inbox cannot deliver to platform "${target.platform}".`);
    }
    if (target.kind === 'channel') this.postToChannel(target.channel, message);
    else this.postToUser(target.user, message);
  }

  postToChannel(channel: string, message: Message): InboxEntry {
    return this.add(this.channels, channel, { channel, from: null, text: renderText(message), message });
  }

  postToUser(user: string, message: Message): InboxEntry {
    return this.add(this.users, user, { user, from: null, text: renderText(message), message });
  }

  /** A command a person typed, recorded where they typed it (a channel, or their direct messages with the bot). */
  recordTyped(from: string, where: { channel: string } | { user: string }, text: string): InboxEntry {
    return 'channel' in where
      ? this.add(this.channels, where.channel, { channel: where.channel, from, text })
      : this.add(this.users, where.user, { user: where.user, from, text });
  }

  channel(name: string): InboxEntry[] {
    return [...(this.channels.get(name) ?? [])];
  }

  user(name: string): InboxEntry[] {
    return [...(this.users.get(name) ?? [])];
  }

  /** The sequence number of the newest entry (0 when empty). */
  lastSeq(): number {
    return this.seq;
  }

  /** Everything recorded after `seq`, in every conversation, oldest first. */
  since(seq: number): InboxEntry[] {
    const all = [...this.channels.values(), ...this.users.values()].flat().filter((e) => e.seq > seq);
    return all.sort((a, b) => a.seq - b.seq);
  }

  private add(map: Map<string, InboxEntry[]>, key: string, entry: Omit<InboxEntry, 'seq'>): InboxEntry {
    const full: InboxEntry = { seq: ++this.seq, ...entry };
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    list.push(full);
    if (list.length > this.limit) list.splice(0, list.length - this.limit);
    return full;
  }
}
