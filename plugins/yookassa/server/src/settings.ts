/**
 * The plugin's settings, from config/plugins.ts (`yookassa.config`), which reads the environment. Payments are
 * on when both the shop id and the secret key are set; without them bookings are still held, but no payment
 * link is made (and start-local.sh runs the local stand-in instead).
 */
export interface YooKassaSettings {
  shopId: string;
  secretKey: string;
  apiUrl: string;
  returnUrl: string;
  /** Addresses and CIDR ranges the webhook accepts (YooKassa's published ranges by default). */
  webhookAllowedIps: string[];
  /** Our own reverse proxies: only from them is X-Forwarded-For believed. */
  trustedProxies: string[];
  receipts: { enabled: boolean; vatCode: number; taxSystemCode: number | null; itemName: string };
  timeoutMs: number;
  /** A payment still pending after this long is re-checked by the reconciliation job. */
  reconcileAfterMs: number;
}

/** https://yookassa.ru/developers/using-api/webhooks#ip (integrations.md §1.9). */
export const YOOKASSA_PUBLISHED_RANGES = [
  '185.71.76.0/27',
  '185.71.77.0/27',
  '77.75.153.0/25',
  '77.75.156.11',
  '77.75.156.35',
  '77.75.154.128/25',
  '2a02:5180::/32',
];

export const isConfigured = (settings: YooKassaSettings) => settings.shopId !== '' && settings.secretKey !== '';
