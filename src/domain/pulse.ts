// Pulse polls: the building blocks, anonymity threshold, distribution and spread, trends.
import type { PulseBlock } from './message.ts';
import type { Sector } from './partnership.ts';

export { PULSE_BLOCKS, type PulseBlock } from './message.ts';

export type PollForm = 'full' | 'short';

export interface Poll {
  id: string;
  partnershipId: string;
  form: PollForm;
  /** ISO instants. */
  openedAt: string;
  closesAt: string;
  status: 'open' | 'closed';
  /** The anonymity threshold fixed when the poll opened. */
  k: number;
  createdBy: string;
}

/**
 * One person's answers to one poll, as stored: no member, no time, no order.
 * The sector is kept for breakdowns that are shown only when every group has at least k.
 */
export interface Ballot {
  sector: Sector;
  answers: Partial<Record<PulseBlock, number>>;
}
