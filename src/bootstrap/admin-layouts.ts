import type { Core } from '@strapi/strapi';

/**
 * Content-manager list views that show staff what matters (dates, states, amounts) instead of Strapi's
 * default of the first few fields, and member names instead of usernames in relation pickers.
 *
 * Applied once per LAYOUTS_VERSION: staff may rearrange the views afterwards in the admin and a restart
 * does not undo that. Bump the version to roll out a changed layout.
 */
const LAYOUTS_VERSION = 2;

interface ListLayout {
  mainField?: string;
  columns: string[];
  sortBy: string;
  sortOrder: 'ASC' | 'DESC';
  /** Help under a field in the edit view, Russian first (staff read it while typing). */
  hints?: Record<string, string>;
}

const LAYOUTS: Record<string, ListLayout> = {
  'plugin::users-permissions.user': {
    mainField: 'fullName',
    columns: ['id', 'fullName', 'phone', 'telegramUsername', 'registeredAt', 'isBanned'],
    sortBy: 'id',
    sortOrder: 'DESC',
  },
  'api::resource.resource': { mainField: 'name', columns: ['id', 'name', 'kind', 'capacity', 'isActive'], sortBy: 'name', sortOrder: 'ASC' },
  'api::tariff.tariff': {
    mainField: 'name',
    columns: ['id', 'name', 'billingUnit', 'price', 'isActive', 'isPublic'],
    sortBy: 'sortOrder',
    sortOrder: 'ASC',
  },
  'api::booking.booking': {
    columns: ['id', 'startAt', 'member', 'tariff', 'state', 'priceTotal'],
    sortBy: 'startAt',
    sortOrder: 'DESC',
  },
  'api::promocode.promocode': {
    mainField: 'code',
    columns: ['id', 'code', 'kind', 'value', 'usedCount', 'validUntil', 'isActive'],
    sortBy: 'code',
    sortOrder: 'ASC',
  },
  'api::promocode-redemption.promocode-redemption': {
    columns: ['id', 'promocode', 'member', 'amount', 'state', 'createdAt'],
    sortBy: 'createdAt',
    sortOrder: 'DESC',
  },
  'api::payment.payment': {
    mainField: 'providerPaymentId',
    columns: ['id', 'booking', 'amount', 'state', 'paidAt', 'providerPaymentId'],
    sortBy: 'createdAt',
    sortOrder: 'DESC',
  },
  'api::refund.refund': { columns: ['id', 'payment', 'amount', 'state', 'createdAt'], sortBy: 'createdAt', sortOrder: 'DESC' },
  'api::ticket.ticket': {
    mainField: 'subject',
    columns: ['id', 'subject', 'member', 'state', 'priority', 'lastMessageAt'],
    sortBy: 'updatedAt',
    sortOrder: 'DESC',
  },
  'api::ticket-message.ticket-message': {
    columns: ['id', 'ticket', 'authorType', 'body', 'createdAt'],
    sortBy: 'createdAt',
    sortOrder: 'DESC',
  },
  'api::newsletter.newsletter': {
    mainField: 'title',
    columns: ['id', 'title', 'segment', 'state', 'scheduledAt', 'sentCount'],
    sortBy: 'createdAt',
    sortOrder: 'DESC',
  },
  'api::newsletter-delivery.newsletter-delivery': {
    columns: ['id', 'newsletter', 'member', 'state', 'attempts', 'sentAt'],
    sortBy: 'createdAt',
    sortOrder: 'DESC',
  },
  'api::outbox-job.outbox-job': {
    mainField: 'kind',
    columns: ['id', 'kind', 'state', 'attempts', 'runAfter', 'lastError'],
    sortBy: 'createdAt',
    sortOrder: 'DESC',
  },
  'api::ip-ban.ip-ban': {
    mainField: 'address',
    columns: ['id', 'address', 'reason', 'expiresAt', 'source', 'createdAt'],
    sortBy: 'createdAt',
    sortOrder: 'DESC',
    hints: {
      address: 'IP-адрес или диапазон CIDR: 203.0.113.7, 203.0.113.0/24, 2001:db8::/32 / IP address or CIDR range',
      expiresAt: 'Пусто — бессрочно; прошедшая дата снимает блокировку / Empty = permanent; a past date lifts the ban',
      source: 'Заполняет сервер / Set by the server',
      bannedBy: 'Заполняет сервер / Set by the server',
    },
  },
  'api::audit-log.audit-log': {
    mainField: 'action',
    columns: ['id', 'at', 'actorType', 'actorLabel', 'action', 'subjectType'],
    sortBy: 'at',
    sortOrder: 'DESC',
  },
};

// Money is stored in kopecks; the label says so wherever staff see the raw number.
const MONEY_FIELDS = ['price', 'priceBase', 'discountTotal', 'priceTotal', 'amount', 'minOrderAmount'];

interface Metadata {
  edit?: Record<string, unknown>;
  list?: Record<string, unknown>;
}

interface Configuration {
  settings: Record<string, unknown>;
  metadatas: Record<string, Metadata>;
  layouts: Record<string, unknown>;
}

interface ContentTypesService {
  findContentType(uid: string): { uid: string; attributes: Record<string, unknown> } | undefined;
  findConfiguration(contentType: { uid: string }): Promise<Configuration>;
  updateConfiguration(contentType: { uid: string }, configuration: Configuration): Promise<unknown>;
}

const withMoneyLabels = (metadatas: Record<string, Metadata>, attributes: Record<string, unknown>) => {
  const labelled = { ...metadatas };
  for (const field of MONEY_FIELDS.filter((name) => name in attributes && labelled[name])) {
    const label = `${field} (kopecks)`;
    labelled[field] = {
      ...labelled[field],
      edit: { ...labelled[field].edit, label },
      list: { ...labelled[field].list, label },
    };
  }
  return labelled;
};

const withHints = (metadatas: Record<string, Metadata>, hints: Record<string, string>) => {
  const hinted = { ...metadatas };
  for (const [field, description] of Object.entries(hints).filter(([name]) => hinted[name])) {
    hinted[field] = { ...hinted[field], edit: { ...hinted[field].edit, description } };
  }
  return hinted;
};

export async function ensureAdminLayouts(strapi: Core.Strapi): Promise<void> {
  const store = strapi.store({ type: 'plugin', name: 'coworking' });
  const applied = Number((await store.get({ key: 'admin-layouts-version' })) ?? 0);
  if (applied >= LAYOUTS_VERSION) return;

  const contentTypes = strapi.plugin('content-manager').service('content-types') as unknown as ContentTypesService;
  for (const [uid, layout] of Object.entries(LAYOUTS)) {
    const contentType = contentTypes.findContentType(uid);
    if (!contentType) throw new Error(`admin layouts: unknown content type ${uid}`);
    const current = await contentTypes.findConfiguration(contentType);
    await contentTypes.updateConfiguration(contentType, {
      settings: {
        ...current.settings,
        ...(layout.mainField ? { mainField: layout.mainField } : {}),
        defaultSortBy: layout.sortBy,
        defaultSortOrder: layout.sortOrder,
      },
      metadatas: withHints(withMoneyLabels(current.metadatas, contentType.attributes), layout.hints ?? {}),
      layouts: { ...current.layouts, list: layout.columns },
    });
  }
  await store.set({ key: 'admin-layouts-version', value: LAYOUTS_VERSION });
}
