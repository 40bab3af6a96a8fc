// Ids: short, unguessable, easy to type in a command ("c-7k2m9q4x").
import { createHmac, randomBytes } from 'node:crypto';
import type { IdSource } from '../domain/ports.ts';

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789'; // no l, o, 0, 1: they are misread

export const randomIds: IdSource = {
  next(prefix: string): string {
    const bytes = randomBytes(8);
    let id = '';
    for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
    return `${prefix}-${id}`;
  },
};

/** Keyed per-poll hash of a member: equal for the same poll and member, unlinkable without the secret. */
export function voterHasher(secret: string): (pollId: string, memberId: string) => string {
  return (pollId, memberId) => createHmac('sha256', secret).update(`${pollId}\u0000${memberId}`).digest('base64url');
}
