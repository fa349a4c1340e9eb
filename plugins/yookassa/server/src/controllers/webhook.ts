/**
 * POST /api/yookassa/webhook. YooKassa signs nothing, so a notification is accepted only from its published
 * addresses (defence in depth), and even then its body only names the object to fetch from the API.
 * 200 once handled, duplicates included; 403 from any other address; 503 when YooKassa itself did not answer,
 * so that it delivers the notification again.
 */
import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { z } from 'zod';
import { YooKassaUnavailableError } from '../client';
import { buildBlockList, contains, senderAddress } from '../ip-allow-list';
import type { PaymentsService } from '../services/payments';
import type { YooKassaSettings } from '../settings';

const notificationSchema = z.object({
  type: z.literal('notification'),
  event: z.string().min(3).max(64),
  object: z.object({ id: z.string().min(1).max(64) }).passthrough(),
});

function sendError(ctx: Context, status: 400 | 403 | 503, name: string, message: string) {
  ctx.status = status;
  ctx.body = { data: null, error: { status, name, message, details: {} } };
}

const webhookController = ({ strapi }: { strapi: Core.Strapi }) => {
  let lists: { source: YooKassaSettings; allowed: ReturnType<typeof buildBlockList>; proxies: ReturnType<typeof buildBlockList> } | null = null;
  const addressLists = () => {
    const settings = strapi.config.get('plugin::yookassa') as YooKassaSettings;
    if (lists?.source !== settings) {
      lists = { source: settings, allowed: buildBlockList(settings.webhookAllowedIps), proxies: buildBlockList(settings.trustedProxies) };
    }
    return lists;
  };

  return {
    async receive(ctx: Context) {
      const { allowed, proxies } = addressLists();
      const sender = senderAddress(ctx.req.socket.remoteAddress ?? '', ctx.get('X-Forwarded-For') || undefined, proxies);
      if (!contains(allowed, sender)) {
        strapi.log.warn(`YooKassa webhook refused from ${sender}: not in YOOKASSA_WEBHOOK_ALLOWED_IPS`);
        // Counts towards an automatic IP ban of the sender when the app has IP bans (api::ip-ban.ip-ban).
        const ipBans = strapi.service('api::ip-ban.ip-ban') as { recordAbuse?(address: string, kind: 'spoofed_webhook'): Promise<void> } | undefined;
        await ipBans?.recordAbuse?.(sender, 'spoofed_webhook').catch((error: Error) => strapi.log.warn(`IP ban bookkeeping failed: ${error.message}`));
        return sendError(ctx, 403, 'ForbiddenError', 'Notifications are accepted from YooKassa addresses only.');
      }
      const payments = strapi.plugin('yookassa').service('payments') as PaymentsService;
      if (!payments.isConfigured()) return sendError(ctx, 503, 'ServiceUnavailableError', 'Payments are not configured.');
      const parsed = notificationSchema.safeParse((ctx.request as unknown as { body?: unknown }).body);
      if (!parsed.success) return sendError(ctx, 400, 'ValidationError', 'Not a YooKassa notification.');
      try {
        const outcome = await payments.handleNotification(parsed.data.event, parsed.data.object.id);
        ctx.body = { data: { outcome } };
      } catch (error) {
        if (!(error instanceof YooKassaUnavailableError)) throw error;
        sendError(ctx, 503, 'ServiceUnavailableError', 'YooKassa did not answer; deliver the notification again later.');
      }
    },
  };
};

export default webhookController;
