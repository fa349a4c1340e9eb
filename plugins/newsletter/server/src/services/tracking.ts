/**
 * E-mail tracking and unsubscribe (docs/NEWSLETTERS.md, E-mail): the signed URLs put into each e-mail, and what
 * the public routes do with them. Rows are written with knex (plain columns, one transaction per event), never
 * through the Document Service.
 *
 * - open: sets the delivery's openedAt once; the newsletter's openedCount grows once per delivery.
 * - click: the target is link n of the newsletter's stored content in the delivery's language (recomputed, never
 *   read from the request), so there is no open redirect; sets clickedAt once, clickCount + 1, the newsletter's
 *   clickedCount once per delivery, and implies an open.
 * - unsubscribe: clears the member's consentMarketing (idempotent) and writes an audit row when it changed.
 * Delivery id 0 is a test send's: its links verify but change nothing.
 */
import type { Core } from '@strapi/strapi';
import { readSettings } from '../config';
import { AUDIT_UID, DELIVERY_UID, NEWSLETTER_UID, parseJson, tableName, USER_UID as MEMBER_UID } from '../db';
import { trackedLinks, type EmailContent, type TrackingUrls } from '../domain/email-render';
import { signToken, verifyToken } from '../domain/tracking-token';
import type { Language, UrlButton } from '../types';

export type UnsubscribeCheck =
  | { kind: 'invalid' }
  | { kind: 'test' }
  | { kind: 'member'; deliveryId: number; memberId: number; subscribed: boolean; language: Language };

export type UnsubscribeResult =
  | { kind: 'invalid' }
  | { kind: 'test' }
  | { kind: 'unsubscribed'; language: Language; changed: boolean };

export interface ClickResult {
  url: string;
}

const languageOf = (value: unknown): Language => (value === 'en' ? 'en' : 'ru');

export default ({ strapi }: { strapi: Core.Strapi }) => {
  const settings = readSettings(process.env);
  const secret = settings.trackingSecret;
  const base = `${settings.publicUrl}/api/newsletter`;

  const table = (uid: string): string => tableName(strapi, uid);
  const column = (uid: string, attribute: string): string => {
    const attr = strapi.db.metadata.get(uid as never).attributes[attribute] as { columnName?: string } | undefined;
    if (!attr?.columnName) throw new Error(`${uid} has no column for ${attribute}`);
    return attr.columnName;
  };
  const knex = () => strapi.db.connection;

  /** The delivery columns the routes need (camelCase), or null. */
  async function delivery(id: number) {
    const c = (a: string) => column(DELIVERY_UID, a);
    const row = await knex()(table(DELIVERY_UID))
      .select({
        id: 'id',
        newsletterRef: c('newsletterRef'),
        memberRef: c('memberRef'),
        channel: c('channel'),
        language: c('language'),
        openedAt: c('openedAt'),
        clickedAt: c('clickedAt'),
      })
      .where('id', id)
      .first();
    return row ? { ...row, id: Number(row.id), newsletterRef: Number(row.newsletterRef), memberRef: Number(row.memberRef) } : null;
  }

  /** The newsletter's content fields that decide its e-mail's links. */
  async function contentOf(newsletterId: number): Promise<EmailContent | null> {
    const c = (a: string) => column(NEWSLETTER_UID, a);
    const row = await knex()(table(NEWSLETTER_UID))
      .select({
        title: c('title'),
        subject: c('subject'),
        subjectEn: c('subjectEn'),
        emailHtml: c('emailHtml'),
        emailHtmlEn: c('emailHtmlEn'),
        body: c('body'),
        bodyEn: c('bodyEn'),
        buttons: c('buttons'),
      })
      .where('id', newsletterId)
      .first();
    if (!row) return null;
    return { ...row, buttons: parseJson<UrlButton[]>(row.buttons, []) } as EmailContent;
  }

  /** Marks the delivery opened (once) and counts it on the newsletter, in transaction `trx`. True when it was new. */
  async function markOpened(trx: unknown, row: { id: number; newsletterRef: number }, now: Date): Promise<boolean> {
    const t = trx as never;
    const opened = await knex()(table(DELIVERY_UID))
      .transacting(t)
      .where('id', row.id)
      .whereNull(column(DELIVERY_UID, 'openedAt'))
      .update({ [column(DELIVERY_UID, 'openedAt')]: now });
    if (Number(opened) > 0) {
      await knex()(table(NEWSLETTER_UID))
        .transacting(t)
        .where('id', row.newsletterRef)
        .update({ [column(NEWSLETTER_UID, 'openedCount')]: knex().raw('COALESCE(??, 0) + 1', [column(NEWSLETTER_UID, 'openedCount')]) });
      return true;
    }
    return false;
  }

  const unsubscribeUrl = (deliveryId: number): string => `${base}/u/${signToken(secret, 'unsubscribe', deliveryId)}`;

  return {
    /** The signed URLs of one delivery's e-mail (id 0, a test send: no pixel, links left as they are). */
    urls(deliveryId: number): TrackingUrls {
      if (deliveryId === 0) return { open: null, click: null, unsubscribe: unsubscribeUrl(0) };
      return {
        open: `${base}/o/${signToken(secret, 'open', deliveryId)}`,
        click: (n: number) => `${base}/c/${signToken(secret, 'click', deliveryId, n)}?l=${n}`,
        unsubscribe: unsubscribeUrl(deliveryId),
      };
    },

    unsubscribeUrl,

    /** An open pixel was fetched. False when the token is not valid (or names no e-mail delivery). */
    async open(token: string, now = new Date()): Promise<boolean> {
      const id = verifyToken(secret, 'open', token);
      if (id === null) return false;
      if (id === 0) return true;
      const row = await delivery(id);
      if (!row || row.channel !== 'email') return false;
      if (row.openedAt) return true;
      await strapi.db.transaction(({ trx }) => markOpened(trx, row, now));
      return true;
    },

    /** A tracked link was followed: where to send the reader, or null (bad token, other link, unknown delivery). */
    async click(token: string, link: number, now = new Date()): Promise<ClickResult | null> {
      const id = verifyToken(secret, 'click', token, link);
      if (id === null || id === 0) return null;
      const row = await delivery(id);
      if (!row || row.channel !== 'email') return null;
      const content = await contentOf(row.newsletterRef);
      if (!content) return null;
      const url = trackedLinks(content, languageOf(row.language))[link - 1];
      if (!url) return null;
      await strapi.db.transaction(async ({ trx }) => {
        const t = trx as never;
        const d = (a: string) => column(DELIVERY_UID, a);
        const firstClick = await knex()(table(DELIVERY_UID)).transacting(t).where('id', id).whereNull(d('clickedAt')).update({ [d('clickedAt')]: now });
        await knex()(table(DELIVERY_UID))
          .transacting(t)
          .where('id', id)
          .update({ [d('clickCount')]: knex().raw('COALESCE(??, 0) + 1', [d('clickCount')]) });
        if (Number(firstClick) > 0) {
          const n = column(NEWSLETTER_UID, 'clickedCount');
          await knex()(table(NEWSLETTER_UID)).transacting(t).where('id', row.newsletterRef).update({ [n]: knex().raw('COALESCE(??, 0) + 1', [n]) });
        }
        await markOpened(trx, row, now);
      });
      return { url };
    },

    /** What an unsubscribe token names (for the confirmation page). */
    async checkUnsubscribe(token: string): Promise<UnsubscribeCheck> {
      const id = verifyToken(secret, 'unsubscribe', token);
      if (id === null) return { kind: 'invalid' };
      if (id === 0) return { kind: 'test' };
      const row = await delivery(id);
      if (!row) return { kind: 'invalid' };
      const member = await knex()(table(MEMBER_UID))
        .select({ id: 'id', consent: column(MEMBER_UID, 'consentMarketing') })
        .where('id', row.memberRef)
        .first();
      if (!member) return { kind: 'invalid' };
      return { kind: 'member', deliveryId: id, memberId: row.memberRef, subscribed: Boolean(member.consent), language: languageOf(row.language) };
    },

    /** Clears the marketing consent of the token's member (idempotent); an audit row when it changed. */
    async unsubscribe(token: string, { ip }: { ip?: string | null } = {}, now = new Date()): Promise<UnsubscribeResult> {
      const id = verifyToken(secret, 'unsubscribe', token);
      if (id === null) return { kind: 'invalid' };
      if (id === 0) return { kind: 'test' };
      const row = await delivery(id);
      if (!row) return { kind: 'invalid' };
      const language = languageOf(row.language);
      const consent = column(MEMBER_UID, 'consentMarketing');
      return strapi.db.transaction(async ({ trx }) => {
        const t = trx as never;
        const member = await knex()(table(MEMBER_UID))
          .transacting(t)
          .select({ id: 'id', documentId: column(MEMBER_UID, 'documentId'), consent })
          .where('id', row.memberRef)
          .first();
        if (!member) return { kind: 'invalid' } as const;
        const changed = Number(await knex()(table(MEMBER_UID)).transacting(t).where('id', row.memberRef).where(consent, true).update({ [consent]: false })) > 0;
        if (changed) {
          const newsletter = await knex()(table(NEWSLETTER_UID))
            .transacting(t)
            .select({ documentId: column(NEWSLETTER_UID, 'documentId') })
            .where('id', row.newsletterRef)
            .first();
          await strapi.db.query(AUDIT_UID).create({
            data: {
              actorType: 'member',
              actorId: String(member.documentId ?? member.id),
              actorLabel: `member:${member.id}`,
              action: 'member.unsubscribed',
              subjectType: MEMBER_UID,
              subjectId: String(member.documentId ?? member.id),
              before: { consentMarketing: true },
              after: { consentMarketing: false, via: 'email', newsletter: newsletter?.documentId ?? null, delivery: id },
              ip: ip ? String(ip).slice(0, 64) : null,
              at: now,
            },
          });
        }
        return { kind: 'unsubscribed', language, changed } as const;
      });
    },

    /** Whether the member of a delivery still has marketing consent (checked before a marketing e-mail goes out). */
    async hasMarketingConsent(memberId: number): Promise<boolean> {
      const row = await knex()(table(MEMBER_UID)).select({ consent: column(MEMBER_UID, 'consentMarketing') }).where('id', memberId).first();
      return Boolean(row?.consent);
    },
  };
};
