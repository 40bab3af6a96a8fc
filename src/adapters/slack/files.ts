// Charts and documents in Slack. A message's image and file blocks are not drawn in Block Kit (Slack
// would fetch an image_url itself, and the bot's own media links are often not reachable from
// outside): their bytes are uploaded with the external upload flow (files.getUploadURLExternal →
// POST the bytes → files.completeUploadExternal, which WebClient.filesUploadV2 runs) into the
// conversation the message went to. That flow takes a conversation id only (C…, G…, D…), never a
// user id, so a person's DM is the id chat.postMessage answers with, or conversations.open.
import type { Block, FileBlock, Message } from '../../domain/message.ts';
import type { WebClient } from './client.ts';

/** The bytes behind one of the bot's media URLs while it works (src/bot/media.ts `read`), else null. */
export type MediaReader = (url: string) => Promise<{ bytes: Uint8Array; mime: string; name: string } | null>;

export type Attachable = Extract<Block, { kind: 'image' }> | FileBlock;

/** One file ready to upload. */
export interface Upload {
  bytes: Buffer;
  filename: string;
  title: string;
  /** Images: what the picture shows, for screen readers. */
  altText?: string;
}

export function attachables(message: Message): Attachable[] {
  return message.blocks.filter((b): b is Attachable => b.kind === 'image' || b.kind === 'file');
}

const SAFE_NAME = /[^\p{L}\p{N}._ -]+/gu;

function fileName(name: string, fallback: string): string {
  return name.replace(SAFE_NAME, '-').trim().slice(0, 120) || fallback;
}

/**
 * The bytes of each image and file block that can be had: inline content as UTF-8, media links
 * through `read`. A link that expired (or a chart that could not be drawn) is left out; the renderer
 * then describes it in words instead.
 */
export async function loadUploads(blocks: Attachable[], read: MediaReader | null, onError?: (err: unknown, block: Attachable) => void): Promise<Map<Attachable, Upload>> {
  const found = new Map<Attachable, Upload>();
  for (const bl of blocks) {
    if (bl.kind === 'file' && bl.content !== undefined) {
      found.set(bl, { bytes: Buffer.from(bl.content, 'utf8'), filename: fileName(bl.name, 'file.txt'), title: bl.title ?? bl.name });
      continue;
    }
    if (!read) continue;
    try {
      const media = await read(bl.url);
      if (!media) continue;
      const bytes = Buffer.from(media.bytes.buffer, media.bytes.byteOffset, media.bytes.byteLength);
      if (bl.kind === 'image') found.set(bl, { bytes, filename: fileName(media.name, 'chart.png'), title: bl.title ?? media.name, altText: bl.alt.slice(0, 1000) });
      else found.set(bl, { bytes, filename: fileName(bl.name || media.name, 'file'), title: bl.title ?? bl.name });
    } catch (err) {
      onError?.(err, bl);
    }
  }
  return found;
}

/** A conversation id files can be shared into: Slack's own for channels and DMs. */
export function isConversationId(id: string | null | undefined): id is string {
  return !!id && /^[CGDZ][A-Z0-9]{8,}$/.test(id);
}

/** The id of the bot's DM with a person (conversations.open, im:write). */
export async function dmChannel(client: WebClient, user: string): Promise<string> {
  const res = await client.conversations.open({ users: user });
  const id = res.channel?.id;
  if (!id) throw new Error(`Slack opened no direct message with ${user}.`);
  return id;
}

/** Uploads the files into one conversation, in one message. */
export async function shareFiles(client: WebClient, channelId: string, uploads: Upload[]): Promise<void> {
  if (!uploads.length) return;
  await client.filesUploadV2({
    channel_id: channelId,
    file_uploads: uploads.map((u) => ({ file: u.bytes, filename: u.filename, title: u.title, ...(u.altText ? { alt_text: u.altText } : {}) })),
  });
}
