// Ids: short, unguessable, easy to type in a command ("c-7k2m9q4x").
import { createHmac, randomBytes } from 'node:crypto';
import type { IdSource } from '../domain/ports.ts';

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789'; // no l, o, 0, 1: they are misread

/** `length` random characters of the id alphabet (32 letters: 5 bits each). */
export function randomCode(length: number): string {
  let code = '';
  for (const byte of randomBytes(length)) code += ALPHABET[byte % ALPHABET.length];
  return code;
}

export const randomIds: IdSource = {
  next: (prefix: string) => `${prefix}-${randomCode(8)}`,
};

/** Keyed per-poll hash of a member: equal for the same poll and member, unlinkable without the secret. */
export function voterHasher(secret: string): (pollId: string, memberId: string) => string {
  return (pollId, memberId) => createHmac('sha256', secret).update(`${pollId}\u0000${memberId}`).digest('base64url');
}
