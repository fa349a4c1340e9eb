import type { Core, UID } from '@strapi/strapi';
import { PROTECTED_TYPES, protectedFieldsOf, SERVICE_CREATED_TYPES } from '../document-middlewares/protected-fields';

type Crud = 'create' | 'read' | 'update' | 'delete';

const FULL: readonly Crud[] = ['create', 'read', 'update', 'delete'];
const NO_DELETE: readonly Crud[] = ['create', 'read', 'update'];
const READ: readonly Crud[] = ['read'];
// Bookings are created in the bookings calendar (priced, checked for overlaps), not in the content manager.
const NO_CREATE: readonly Crud[] = ['read', 'update', 'delete'];

const MEMBER = 'plugin::users-permissions.user';
const AUDIT_LOG = 'api::audit-log.audit-log';

// One-time tokens are the plugin's business; a password may be set (the content manager requires one to
// create a member) but is never read back.
const MEMBER_TOKEN_FIELDS = ['resetPasswordToken', 'confirmationToken'];
const MEMBER_WRITE_ONLY_FIELDS = ['password'];

const MEDIA_LIBRARY = [
  'plugin::upload.read',
  'plugin::upload.configure-view',
  'plugin::upload.assets.create',
  'plugin::upload.assets.update',
  'plugin::upload.assets.download',
  'plugin::upload.assets.copy-link',
];
const ANALYTICS = 'plugin::monitoring.read';
// The staff workspace (plugins/booking-desk, server/src/actions.ts): booking actions through the state machine,
// the calendar, member cards, the support inbox and the home-page widgets.
const bookingDesk = (...actions: string[]) => actions.map((action) => `plugin::booking-desk.${action}`);
const BOOKING_DESK_ALL = bookingDesk(
  'confirm',
  'cancel',
  'mark-paid',
  'reschedule',
  'calendar.read',
  'bookings.create',
  'bookings.price',
  'members.read',
  'members.ban',
  'members.message',
  'members.notes',
  'inbox.read',
  'inbox.reply',
  'revenue.read',
);
// Front desk support: sees the calendar, member cards and the inbox; no money and no bans.
const BOOKING_DESK_SUPPORT = bookingDesk('calendar.read', 'members.read', 'members.message', 'members.notes', 'inbox.read', 'inbox.reply');
// Newsletters (plugins/newsletter, server/src/actions.ts): see, send, and compose / manage.
const NEWSLETTERS_ALL = ['read', 'send', 'manage'].map((action) => `plugin::newsletter.${action}`);
// Arrange the columns of the content manager's list views (src/bootstrap/admin-layouts.ts sets the defaults).
const CONFIGURE_LIST_VIEWS = 'plugin::content-manager.collection-types.configure-view';

interface StaffRole {
  /** Stable key: the role is found by it, so renaming the role in the admin panel is reverted, not duplicated. */
  code: string;
  name: string;
  description: string;
  /** Content-manager actions per content type; a type that is not listed is invisible to the role. */
  contentTypes: Readonly<Record<string, readonly Crud[]>>;
  /** Other admin actions (plugins); admin users, roles, API tokens and settings stay with the Super Admin. */
  actions: readonly string[];
}

/** The complete permission set of each staff role (docs/ROLES.md explains it); anything else is removed at boot. */
const STAFF_ROLES: readonly StaffRole[] = [
  {
    code: 'coworking-manager',
    name: 'Manager',
    description: 'Runs the space day to day: members, bookings, catalogue, promo codes, money, support, newsletters, jobs.',
    contentTypes: {
      [MEMBER]: FULL,
      // State, time and money of a booking are read-only (docs/ADMIN.md, Integrity of records); the booking desk changes them.
      'api::booking.booking': NO_CREATE,
      'api::tariff.tariff': FULL,
      'api::resource.resource': FULL,
      'api::promocode.promocode': FULL,
      // Redemptions follow their booking; payments and refunds are written by the payment flow and the booking desk.
      'api::promocode-redemption.promocode-redemption': READ,
      'api::payment.payment': READ,
      'api::refund.refund': READ,
      'api::ticket.ticket': FULL,
      'api::ticket-message.ticket-message': FULL,
      // Composed and sent on the Newsletters page (checked, audited); the content manager only shows them.
      'api::newsletter.newsletter': READ,
      'api::newsletter-delivery.newsletter-delivery': READ,
      'api::newsletter-template.newsletter-template': READ,
      // Update: the job's editable fields, and the audited Retry (POST /admin/outbox-jobs/:documentId/retry).
      'api::outbox-job.outbox-job': ['read', 'update'],
      [AUDIT_LOG]: READ,
      'api::ip-ban.ip-ban': FULL,
      // Written from the member card (booking desk, audited); read here too.
      'api::member-note.member-note': READ,
    },
    actions: [...MEDIA_LIBRARY, ANALYTICS, CONFIGURE_LIST_VIEWS, ...BOOKING_DESK_ALL, ...NEWSLETTERS_ALL, 'plugin::yookassa.refund'],
  },
  {
    code: 'coworking-support',
    name: 'Support',
    description: 'Answers member tickets; sees members, their bookings and the catalogue.',
    contentTypes: {
      [MEMBER]: READ,
      'api::ticket.ticket': NO_DELETE,
      'api::ticket-message.ticket-message': NO_DELETE,
      'api::booking.booking': READ,
      // A booking names its tariff and resource; support must be able to open them.
      'api::tariff.tariff': READ,
      'api::resource.resource': READ,
      // To tell a member who cannot reach the Mini App that their address is blocked, and until when.
      'api::ip-ban.ip-ban': READ,
      // Staff notes on members, written from the member card (booking desk).
      'api::member-note.member-note': READ,
    },
    // Replies carry photos.
    actions: [...MEDIA_LIBRARY, ...BOOKING_DESK_SUPPORT],
  },
  {
    code: 'coworking-marketing',
    name: 'Marketing',
    description: 'Newsletters and promo codes; sees members, tariffs, delivery results and analytics.',
    contentTypes: {
      'api::newsletter.newsletter': READ,
      'api::newsletter-delivery.newsletter-delivery': READ,
      'api::newsletter-template.newsletter-template': READ,
      'api::promocode.promocode': FULL,
      'api::tariff.tariff': READ,
      [MEMBER]: READ,
    },
    // Newsletters carry images.
    actions: [...MEDIA_LIBRARY, ANALYTICS, ...NEWSLETTERS_ALL],
  },
];

// Strapi's sample roles: Editor may write every content type, the audit log and payments included.
const DEFAULT_ROLE_CODES = ['strapi-editor', 'strapi-author'];

const AUDIT_LOG_WRITES = ['create', 'update', 'delete', 'publish'].map((action) => `plugin::content-manager.explorer.${action}`);

interface AdminRole {
  id: number;
  code: string;
  name: string;
  description: string | null;
}

interface AdminPermission {
  action: string;
  subject?: string | null;
  properties?: { fields?: string[] };
}

interface RoleService {
  findOne(where: Partial<Pick<AdminRole, 'code' | 'name'>>): Promise<AdminRole | null>;
  create(attributes: Omit<AdminRole, 'id'>): Promise<AdminRole>;
  update(where: { id: number }, attributes: Pick<AdminRole, 'name' | 'description'>): Promise<AdminRole>;
  getUsersCount(id: number): Promise<number>;
  deleteByIds(ids: number[]): Promise<unknown>;
  /** Replaces the role's permissions with exactly these (adds the missing, deletes the others). */
  assignPermissions(id: number, permissions: AdminPermission[]): Promise<unknown>;
}

/** Creates or converges the staff roles, drops unused sample roles and keeps the audit log read-only for every role. */
export async function ensureStaffRoles(strapi: Core.Strapi): Promise<void> {
  const roles = strapi.service('admin::role') as RoleService;

  for (const staffRole of STAFF_ROLES) {
    const role = await upsertRole(strapi, roles, staffRole);
    await roles.assignPermissions(role.id, permissionsOf(strapi, staffRole));
  }

  for (const code of DEFAULT_ROLE_CODES) {
    const role = await roles.findOne({ code });
    // A sample role someone is using stays; the audit-log rule below still applies to it.
    if (role && (await roles.getUsersCount(role.id)) === 0) await roles.deleteByIds([role.id]);
  }

  await keepAuditLogReadOnly(strapi, roles);
  await keepProtectedFieldsReadOnly(strapi, roles);
}

async function upsertRole(strapi: Core.Strapi, roles: RoleService, { code, name, description }: StaffRole): Promise<AdminRole> {
  let role = await roles.findOne({ code });
  if (!role) {
    const sameName = await roles.findOne({ name });
    if (!sameName) return roles.create({ code, name, description });
    // A role of that name made by hand is adopted (role names are unique), not duplicated.
    role = (await strapi.db.query('admin::role').update({ where: { id: sameName.id }, data: { code } })) as AdminRole;
  }
  if (role.name === name && role.description === description) return role;
  return roles.update({ id: role.id }, { name, description });
}

function permissionsOf(strapi: Core.Strapi, role: StaffRole): AdminPermission[] {
  const contentTypes = strapi.service('admin::content-type');
  const fieldsOf = (uid: string, action: Crud): string[] => {
    const fields: string[] = contentTypes.getNestedFields(strapi.contentType(uid as UID.ContentType), {
      components: strapi.components,
    });
    // Fields only our services write are read-only for every role (src/document-middlewares/protected-fields.ts).
    if (action === 'create' || action === 'update') {
      const readOnly = protectedFieldsOf(uid);
      if (readOnly.length > 0) return fields.filter((field) => !readOnly.includes(field.split('.')[0]));
    }
    if (uid !== MEMBER) return fields;
    const hidden = action === 'read' ? [...MEMBER_TOKEN_FIELDS, ...MEMBER_WRITE_ONLY_FIELDS] : MEMBER_TOKEN_FIELDS;
    return fields.filter((field) => !hidden.includes(field));
  };

  const permissions: AdminPermission[] = Object.entries(role.contentTypes).flatMap(([subject, actions]) =>
    actions.map((action) => ({
      action: `plugin::content-manager.explorer.${action}`,
      subject,
      // Delete is not field-scoped; the other actions list every field the role may touch.
      properties: action === 'delete' ? {} : { fields: fieldsOf(subject, action) },
    })),
  );
  return [...permissions, ...role.actions.map((action) => ({ action }))];
}

/**
 * The audit log is written by the server only. Strapi gives the Super Admin every permission at each boot,
 * and roles can be edited by hand, so any content-manager write on it is taken away again here.
 */
async function keepAuditLogReadOnly(strapi: Core.Strapi, roles: RoleService): Promise<void> {
  const isAuditLogWrite = (permission: AdminPermission) =>
    permission.subject === AUDIT_LOG && AUDIT_LOG_WRITES.includes(permission.action);

  const writes: { role: { id: number } | null }[] = await strapi.db.query('admin::permission').findMany({
    where: { subject: AUDIT_LOG, action: { $in: AUDIT_LOG_WRITES } },
    populate: ['role'],
  });
  const roleIds = new Set(writes.flatMap((permission) => (permission.role ? [permission.role.id] : [])));

  for (const roleId of roleIds) {
    const current: AdminPermission[] = await strapi.service('admin::permission').findMany({ where: { role: { id: roleId } } });
    await roles.assignPermissions(roleId, current.filter((permission) => !isAuditLogWrite(permission)));
  }
}

const EXPLORER_CREATE = 'plugin::content-manager.explorer.create';
const EXPLORER_UPDATE = 'plugin::content-manager.explorer.update';

/**
 * Booking state, time and money, payment and refund amounts and states, redemption amounts and outbox job states
 * are written by our services only (src/document-middlewares/protected-fields.ts refuses other writes). Here they
 * are made read-only in the content manager for every role, the Super Admin included (Strapi gives it every
 * field at each boot): create and update permissions lose those fields, and nobody gets create on the types only
 * our flows create (bookings, payments, refunds, redemptions).
 */
async function keepProtectedFieldsReadOnly(strapi: Core.Strapi, roles: RoleService): Promise<void> {
  const contentTypes = strapi.service('admin::content-type');
  const subjects = Object.keys(PROTECTED_TYPES);
  const allFields = (uid: string): string[] =>
    contentTypes.getNestedFields(strapi.contentType(uid as UID.ContentType), { components: strapi.components });

  const writes: (AdminPermission & { role: { id: number } | null })[] = await strapi.db.query('admin::permission').findMany({
    where: { subject: { $in: subjects }, action: { $in: [EXPLORER_CREATE, EXPLORER_UPDATE] } },
    populate: ['role'],
  });
  const isOffending = (permission: AdminPermission) => {
    const subject = permission.subject as string;
    if (permission.action === EXPLORER_CREATE && SERVICE_CREATED_TYPES.includes(subject)) return true;
    const readOnly = protectedFieldsOf(subject);
    const fields = permission.properties?.fields ?? allFields(subject);
    return fields.some((field) => readOnly.includes(field.split('.')[0]));
  };
  const roleIds = new Set(writes.flatMap((permission) => (permission.role && isOffending(permission) ? [permission.role.id] : [])));

  for (const roleId of roleIds) {
    const current: AdminPermission[] = await strapi.service('admin::permission').findMany({ where: { role: { id: roleId } } });
    const converged = current.flatMap((permission): AdminPermission[] => {
      const subject = permission.subject ?? '';
      if (!subjects.includes(subject) || (permission.action !== EXPLORER_CREATE && permission.action !== EXPLORER_UPDATE)) return [permission];
      if (permission.action === EXPLORER_CREATE && SERVICE_CREATED_TYPES.includes(subject)) return [];
      const readOnly = protectedFieldsOf(subject);
      const fields = (permission.properties?.fields ?? allFields(subject)).filter((field) => !readOnly.includes(field.split('.')[0]));
      return [{ ...permission, properties: { ...permission.properties, fields } }];
    });
    await roles.assignPermissions(roleId, converged);
  }
}
