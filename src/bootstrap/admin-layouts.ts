import type { Core } from '@strapi/strapi';
import { CONTENT_TYPE_TEXTS, fieldText } from './admin-labels';

/**
 * Content-manager views made for staff: list columns that matter (dates, states, amounts), a meaningful title
 * for every record (the `mainField` of list and edit views and of relation pickers: a booking's "№ · member ·
 * start", a member's full name, a ticket's subject), and Russian labels, descriptions and placeholders for every
 * field (./admin-labels.ts; src/admin/app.tsx gives English staff the English labels through translations).
 *
 * Applied in full once per LAYOUTS_VERSION: staff may rearrange the views afterwards in the admin and a restart
 * does not undo that. Bump the version to roll out a changed layout. Between versions, each boot only labels
 * fields that still carry Strapi's default label (their own name), so a field added later is labelled without
 * touching anything staff changed.
 */
const LAYOUTS_VERSION = 4;

interface ListLayout {
  /** The record's title in list and edit views and wherever a relation points to it. */
  mainField?: string;
  columns: string[];
  sortBy: string;
  sortOrder: 'ASC' | 'DESC';
  /** Fields the server fills: shown, never typed into. */
  readOnly?: string[];
}

export const LAYOUTS: Record<string, ListLayout> = {
  'plugin::users-permissions.user': {
    mainField: 'fullName',
    columns: ['id', 'fullName', 'phone', 'telegramUsername', 'registeredAt', 'isBanned'],
    sortBy: 'id',
    sortOrder: 'DESC',
  },
  'api::resource.resource': {
    mainField: 'name',
    columns: ['id', 'name', 'kind', 'capacity', 'isActive'],
    sortBy: 'name',
    sortOrder: 'ASC',
    readOnly: ['lockVersion'],
  },
  'api::tariff.tariff': {
    mainField: 'name',
    columns: ['id', 'name', 'billingUnit', 'price', 'isActive', 'isPublic'],
    sortBy: 'sortOrder',
    sortOrder: 'ASC',
  },
  'api::booking.booking': {
    mainField: 'label',
    columns: ['label', 'resource', 'tariff', 'state', 'priceTotal', 'startAt'],
    sortBy: 'startAt',
    sortOrder: 'DESC',
    readOnly: ['label'],
  },
  'api::promocode.promocode': {
    mainField: 'code',
    columns: ['id', 'code', 'kind', 'value', 'usedCount', 'validUntil', 'isActive'],
    sortBy: 'code',
    sortOrder: 'ASC',
  },
  'api::promocode-redemption.promocode-redemption': {
    columns: ['id', 'promocode', 'member', 'booking', 'amount', 'state', 'createdAt'],
    sortBy: 'createdAt',
    sortOrder: 'DESC',
  },
  'api::payment.payment': {
    mainField: 'providerPaymentId',
    columns: ['id', 'booking', 'member', 'amount', 'state', 'paidAt'],
    sortBy: 'createdAt',
    sortOrder: 'DESC',
  },
  'api::refund.refund': {
    mainField: 'providerRefundId',
    columns: ['id', 'payment', 'amount', 'state', 'reason', 'createdAt'],
    sortBy: 'createdAt',
    sortOrder: 'DESC',
  },
  'api::ticket.ticket': {
    mainField: 'subject',
    columns: ['id', 'subject', 'member', 'state', 'priority', 'lastMessageAt'],
    sortBy: 'updatedAt',
    sortOrder: 'DESC',
  },
  'api::ticket-message.ticket-message': {
    mainField: 'body',
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
    columns: ['id', 'newsletter', 'member', 'channel', 'state', 'attempts', 'sentAt'],
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
  },
  'api::audit-log.audit-log': {
    mainField: 'action',
    columns: ['id', 'at', 'actorType', 'actorLabel', 'action', 'subjectType'],
    sortBy: 'at',
    sortOrder: 'DESC',
  },
  'api::member-note.member-note': {
    mainField: 'body',
    columns: ['id', 'member', 'body', 'authorLabel', 'createdAt'],
    sortBy: 'createdAt',
    sortOrder: 'DESC',
  },
};

interface MetadataPart {
  label?: string;
  description?: string;
  placeholder?: string;
  editable?: boolean;
  mainField?: string;
  [key: string]: unknown;
}

interface Metadata {
  edit?: MetadataPart;
  list?: MetadataPart;
}

interface Configuration {
  settings: Record<string, unknown>;
  metadatas: Record<string, Metadata>;
  layouts: Record<string, unknown>;
}

interface Attribute {
  type?: string;
  target?: string;
  targetModel?: string;
}

interface ContentTypesService {
  findContentType(uid: string): { uid: string; attributes: Record<string, Attribute> } | undefined;
  findConfiguration(contentType: { uid: string }): Promise<Configuration>;
  updateConfiguration(contentType: { uid: string }, configuration: Configuration): Promise<unknown>;
}

/** A field's metadata with the catalogue's texts; `onlyDefaults`: only where the label is still Strapi's default. */
function labelled(uid: string, field: string, metadata: Metadata, onlyDefaults: boolean): Metadata {
  const text = fieldText(uid, field);
  if (!text) return metadata;
  const [ru, , description, placeholder] = text;
  const edit = { ...metadata.edit };
  const list = { ...metadata.list };
  if (!onlyDefaults || !edit.label || edit.label === field) {
    edit.label = ru;
    // Cleared when the catalogue has none, so an old hint (such as "(kopecks)") does not linger.
    edit.description = description ?? '';
    edit.placeholder = placeholder ?? '';
  }
  if (!onlyDefaults || !list.label || list.label === field) list.label = ru;
  return { ...metadata, edit, list };
}

function withTexts(uid: string, contentType: { attributes: Record<string, Attribute> }, current: Configuration, full: boolean) {
  const layout = LAYOUTS[uid];
  const metadatas: Record<string, Metadata> = {};
  for (const [field, metadata] of Object.entries(current.metadatas)) {
    let next = labelled(uid, field, metadata, !full);
    if (full) {
      // Relation fields show the target's title (a booking's "№ · member · start", a member's name).
      const attribute = contentType.attributes[field];
      const target = attribute?.type === 'relation' ? (attribute.target ?? attribute.targetModel) : undefined;
      const targetTitle = target ? LAYOUTS[target]?.mainField : undefined;
      if (targetTitle) next = { ...next, edit: { ...next.edit, mainField: targetTitle } };
      if (layout?.readOnly?.includes(field)) next = { ...next, edit: { ...next.edit, editable: false } };
    }
    metadatas[field] = next;
  }
  return metadatas;
}

export async function ensureAdminLayouts(strapi: Core.Strapi): Promise<void> {
  const store = strapi.store({ type: 'plugin', name: 'coworking' });
  const applied = Number((await store.get({ key: 'admin-layouts-version' })) ?? 0);
  const full = applied < LAYOUTS_VERSION;

  const contentTypes = strapi.plugin('content-manager').service('content-types') as unknown as ContentTypesService;
  for (const uid of new Set([...Object.keys(LAYOUTS), ...Object.keys(CONTENT_TYPE_TEXTS)])) {
    const contentType = contentTypes.findContentType(uid);
    if (!contentType) throw new Error(`admin layouts: unknown content type ${uid}`);
    const current = await contentTypes.findConfiguration(contentType);
    const metadatas = withTexts(uid, contentType, current, full);
    const layout = LAYOUTS[uid];
    if (full && layout) {
      await contentTypes.updateConfiguration(contentType, {
        settings: {
          ...current.settings,
          ...(layout.mainField ? { mainField: layout.mainField } : {}),
          defaultSortBy: layout.sortBy,
          defaultSortOrder: layout.sortOrder,
        },
        metadatas,
        layouts: { ...current.layouts, list: layout.columns },
      });
    } else if (JSON.stringify(metadatas) !== JSON.stringify(current.metadatas)) {
      await contentTypes.updateConfiguration(contentType, { settings: current.settings, metadatas, layouts: current.layouts });
    }
  }
  if (full) await store.set({ key: 'admin-layouts-version', value: LAYOUTS_VERSION });
}
