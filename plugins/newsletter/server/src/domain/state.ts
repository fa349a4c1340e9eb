/**
 * The newsletter state machine (docs/NEWSLETTERS.md, Statuses). Pure.
 *
 *   draft ──send──▶ sending ⇄ paused          sending ──(all deliveries done)──▶ sent | failed
 *     │  ╲                 ╲      ╲
 *     │   schedule          cancel  cancel ──▶ cancelled
 *     ▼                                     sent | failed ──resend──▶ sending
 *   scheduled ──(due)──▶ sending;  scheduled ──unschedule──▶ draft;  scheduled ──cancel──▶ cancelled
 *
 * Only draft and scheduled newsletters can be edited; a newsletter being sent (or paused) cannot be deleted.
 */
import type { NewsletterState } from '../types';

export type NewsletterAction = 'schedule' | 'send' | 'unschedule' | 'start' | 'pause' | 'resume' | 'cancel' | 'finish' | 'fail' | 'resend';

/** Which states each action may start from, and where it leads. */
export const TRANSITIONS: Readonly<Record<NewsletterAction, { from: readonly NewsletterState[]; to: NewsletterState }>> = {
  /** Staff: send later (also moves an already scheduled one to another time). */
  schedule: { from: ['draft', 'scheduled'], to: 'scheduled' },
  /** Staff: send now. */
  send: { from: ['draft', 'scheduled'], to: 'sending' },
  /** Staff: back to a draft (a scheduled one only). */
  unschedule: { from: ['scheduled'], to: 'draft' },
  /** The dispatcher: a scheduled newsletter whose time has come. */
  start: { from: ['scheduled'], to: 'sending' },
  pause: { from: ['sending'], to: 'paused' },
  resume: { from: ['paused'], to: 'sending' },
  cancel: { from: ['scheduled', 'sending', 'paused'], to: 'cancelled' },
  /** The dispatcher: every delivery has an outcome and at least one was sent (or there were none to fail). */
  finish: { from: ['sending'], to: 'sent' },
  /** The dispatcher: every delivery has an outcome and none was sent. */
  fail: { from: ['sending'], to: 'failed' },
  /** Staff: failed deliveries back to the queue. */
  resend: { from: ['sent', 'failed'], to: 'sending' },
};

export const canTransition = (state: NewsletterState, action: NewsletterAction): boolean => TRANSITIONS[action].from.includes(state);

/** The state after `action`, or null when the action is not allowed from `state`. */
export const nextState = (state: NewsletterState, action: NewsletterAction): NewsletterState | null =>
  canTransition(state, action) ? TRANSITIONS[action].to : null;

export const canEdit = (state: NewsletterState): boolean => state === 'draft' || state === 'scheduled';
export const canDelete = (state: NewsletterState): boolean => state !== 'sending' && state !== 'paused';
/** States in which the dispatcher works on the newsletter's deliveries (paused: materialising may go on). */
export const isActive = (state: NewsletterState): boolean => state === 'sending' || state === 'paused';
export const isFinal = (state: NewsletterState): boolean => state === 'sent' || state === 'failed' || state === 'cancelled';

const STATE_WORDS: Readonly<Record<NewsletterState, string>> = {
  draft: 'a draft',
  scheduled: 'scheduled',
  sending: 'being sent',
  paused: 'paused',
  sent: 'already sent',
  failed: 'failed',
  cancelled: 'cancelled',
};

const ACTION_WORDS: Readonly<Record<NewsletterAction, string>> = {
  schedule: 'scheduled',
  send: 'sent',
  unschedule: 'moved back to drafts',
  start: 'started',
  pause: 'paused',
  resume: 'resumed',
  cancel: 'cancelled',
  finish: 'finished',
  fail: 'marked failed',
  resend: 'resent to the failed recipients',
};

/** The 409 message when `action` is not allowed in `state`. */
export function refusalMessage(state: NewsletterState, action: NewsletterAction): string {
  const allowed = TRANSITIONS[action].from.map((s) => STATE_WORDS[s]).join(' or ');
  return `The newsletter is ${STATE_WORDS[state]}, so it cannot be ${ACTION_WORDS[action]} (only when it is ${allowed}).`;
}

export const editRefusal = (state: NewsletterState): string =>
  `The newsletter is ${STATE_WORDS[state]}: only drafts and scheduled newsletters can be changed.`;

export const deleteRefusal = (state: NewsletterState): string =>
  `The newsletter is ${STATE_WORDS[state]}: cancel it before deleting it.`;
