// Consultations, deadlines, responses, nudge plans, short-deadline and overload warnings.
import type { ResponseKind } from './message.ts';
import type { Sector } from './partnership.ts';

export type { ResponseKind } from './message.ts';

/** Who a consultation asks: everyone, or some sectors and/or named members. */
export type Audience = { all: true } | { all?: false; sectors: Sector[]; memberIds: string[] };

export type ConsultationStatus =
  /** Taking responses until the deadline passes. */
  | 'open'
  /** Deadline passed; the owner owes a "you said, we did" summary. */
  | 'awaiting_feedback'
  /** Feedback posted. */
  | 'closed';

export interface Consultation {
  id: string;
  partnershipId: string;
  title: string;
  link: string | null;
  ownerId: string;
  /** ISO instant. */
  openedAt: string;
  /** Local calendar date (YYYY-MM-DD) in the partnership's timezone; responses are due by the end of it. */
  deadline: string;
  audience: Audience;
  status: ConsultationStatus;
  feedback: string | null;
  feedbackAt: string | null;
}

export interface ConsultationResponse {
  consultationId: string;
  memberId: string;
  kind: ResponseKind;
  /** With "need more time": the date the member proposes instead (YYYY-MM-DD). */
  proposedDate: string | null;
  /** ISO instant. */
  at: string;
}
