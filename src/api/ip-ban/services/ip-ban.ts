/**
 * IP bans: the core service, plus automatic temporary bans (recordAbuse) and the nginx deny list.
 * Enforcement is src/middlewares/ip-ban.ts; validation and audit of staff writes are ../document-middleware.ts.
 */
import { factories, type Core } from '@strapi/strapi';
import { isIP } from 'node:net';
import { normaliseAddress } from '../../../utils/client-address';
import { rateLimits } from '../../../utils/rate-limit';
import { auditBan, summaryOf, type BanActor } from '../audit';
import { banList, IP_BAN_UID } from '../ban-list';
import { untilText } from '../rules';

export type AbuseKind = 'rate_limit' | 'failed_login' | 'failed_sign_in' | 'spoofed_webhook';

const KIND_TEXT: Record<AbuseKind, string> = {
  rate_limit: 'превышение лимита запросов (429)',
  failed_login: 'неудачный вход в админку',
  failed_sign_in: 'неудачный вход через Telegram',
  spoofed_webhook: 'поддельный webhook YooKassa',
};

const SYSTEM_ACTOR: BanActor = { actorType: 'system', actorId: null, actorLabel: 'system:ip-ban', ip: null };

interface BanRow {
  documentId: string;
  address: string;
  reason: string;
  expiresAt: string | Date | null;
  source: string;
}

/** One line of an nginx config: the reason is a comment, with nothing in it that could end the line. */
const denyLine = (row: BanRow) => {
  const comment = `${row.reason} (${row.source}), ${untilText(row.expiresAt === null ? null : new Date(row.expiresAt))}`
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
    .slice(0, 300);
  return `deny ${row.address};  # ${comment}`;
};

export default factories.createCoreService(IP_BAN_UID, ({ strapi }: { strapi: Core.Strapi }) => {
  // Several events of one address may arrive together; only one of them writes the ban.
  const banning = new Set<string>();

  return {
    /**
     * Counts an abuse event of `address` (every kind on one counter, rule `ipAbuse`); when the address goes over
     * the limit it gets one automatic ban for IP_BAN_AUTO_MINUTES. Allow-listed and already banned addresses are
     * not counted. Never throws for a bad address: it is only ignored.
     */
    async recordAbuse(address: string, kind: AbuseKind): Promise<void> {
      const ip = normaliseAddress(address);
      const bans = banList(strapi);
      if (isIP(ip) === 0 || bans.isAllowListed(ip) || banning.has(ip)) return;
      if (await bans.match(ip)) return;

      const limits = rateLimits(strapi);
      const decision = await limits.consume('ipAbuse', `ip:${ip}`);
      // Checked again after the await: events refused together must not each write a ban.
      if (decision.allowed || banning.has(ip)) return;

      banning.add(ip);
      try {
        // Another instance may have banned it in the meantime.
        const existing = await strapi.db.query(IP_BAN_UID).count({
          where: { address: ip, $or: [{ expiresAt: { $null: true } }, { expiresAt: { $gt: new Date() } }] },
        });
        if (existing === 0) {
          const rule = limits.rule('ipAbuse');
          const expiresAt = new Date(Date.now() + bans.settings.autoBanMs);
          const data = {
            address: ip,
            reason: `Автоматически: более ${rule.points} нарушений за ${Math.round(rule.durationSeconds / 60)} мин; последнее — ${KIND_TEXT[kind]} (${kind})`,
            expiresAt,
            source: 'automatic',
            bannedBy: SYSTEM_ACTOR.actorLabel,
          };
          // The query engine, not the Document Service: the staff-write middleware would mark it as a staff ban.
          await strapi.db.transaction(async () => {
            const created: BanRow = await strapi.db.query(IP_BAN_UID).create({ data });
            await auditBan(strapi, 'ip-ban.automatic', SYSTEM_ACTOR, created.documentId, null, summaryOf(created));
          });
          strapi.log.warn(`ip-ban: ${ip} banned automatically ${untilText(expiresAt)} after repeated ${kind}`);
        }
        bans.invalidate();
        await limits.reset('ipAbuse', `ip:${ip}`);
      } finally {
        banning.delete(ip);
      }
    },

    /** The active bans as nginx `deny` lines (text for an `include` file), oldest first. */
    async nginxDenyList(now = new Date()): Promise<string> {
      const rows: BanRow[] = await strapi.db.query(IP_BAN_UID).findMany({
        select: ['documentId', 'address', 'reason', 'expiresAt', 'source'],
        where: { $or: [{ expiresAt: { $null: true } }, { expiresAt: { $gt: now } }] },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      });
      const header = `# IP bans of the coworking platform, ${rows.length} active at ${now.toISOString()}`;
      return [header, ...rows.map(denyLine)].join('\n') + '\n';
    },
  };
});
