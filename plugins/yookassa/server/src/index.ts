import type { Core } from '@strapi/strapi';
import { YooKassaError } from './client';
import controllers from './controllers';
import routes from './routes';
import services from './services';
import type { PaymentsService } from './services/payments';
import { YOOKASSA_PUBLISHED_RANGES } from './settings';

interface OutboxService {
  registerHandler(kind: string, handler: (job: { payload: unknown }) => Promise<void>, options?: { rateLimit?: { perSecond: number } }): void;
}

const register = async ({ strapi }: { strapi: Core.Strapi }) => {
  await strapi.service('admin::permission').actionProvider.registerMany([
    { section: 'plugins', displayName: 'Refund payments', uid: 'refund', pluginName: 'yookassa' },
  ]);
};

const bootstrap = ({ strapi }: { strapi: Core.Strapi }) => {
  const outbox = strapi.service('api::outbox-job.outbox') as unknown as OutboxService;
  // Refund rows (member and staff cancellations, staff refunds, unconfirmable late payments) are sent from here.
  outbox.registerHandler(
    'refund.execute',
    async (job) => {
      const { refund } = job.payload as { refund: string };
      try {
        await (strapi.plugin('yookassa').service('payments') as PaymentsService).executeRefund(refund);
      } catch (error) {
        // A refusal will not change on a retry with the same key: dead-letter it for staff at once.
        if (error instanceof YooKassaError) throw Object.assign(new Error(error.message), { permanent: true });
        throw error;
      }
    },
    { rateLimit: { perSecond: 5 } },
  );
};

export default {
  register,
  bootstrap,
  destroy() {},
  config: {
    default: {
      shopId: '',
      secretKey: '',
      apiUrl: 'https://api.yookassa.ru/v3',
      returnUrl: '',
      webhookAllowedIps: YOOKASSA_PUBLISHED_RANGES,
      trustedProxies: [],
      receipts: { enabled: false, vatCode: 1, taxSystemCode: null, itemName: 'Услуги коворкинга' },
      timeoutMs: 10000,
      reconcileAfterMs: 120000,
    },
    validator(config: { receipts?: { vatCode?: number; taxSystemCode?: number | null } }) {
      const vatCode = config.receipts?.vatCode;
      if (vatCode !== undefined && !(Number.isInteger(vatCode) && vatCode >= 1 && vatCode <= 12)) {
        throw new Error(`YOOKASSA_VAT_CODE must be 1–12 (11 and 12 are the 22 % rates from 2026), got ${vatCode}`);
      }
      const tax = config.receipts?.taxSystemCode;
      if (tax !== undefined && tax !== null && !(Number.isInteger(tax) && tax >= 1 && tax <= 6)) {
        throw new Error(`YOOKASSA_TAX_SYSTEM_CODE must be 1–6, got ${tax}`);
      }
    },
  },
  controllers,
  routes,
  services,
  contentTypes: {},
  policies: {},
  middlewares: {},
};
