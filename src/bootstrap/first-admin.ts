import type { Core } from '@strapi/strapi';

/**
 * Creates the first staff account (Super Admin) from ADMIN_EMAIL / ADMIN_PASSWORD, only while the
 * database has no admin user at all, so changing the variables later never touches real accounts.
 * Its admin panel language is Russian (`preferedLanguage`, Strapi's spelling).
 */
export async function ensureFirstAdmin(strapi: Core.Strapi): Promise<void> {
  const email = process.env.ADMIN_EMAIL?.trim().toLowerCase();
  const password = process.env.ADMIN_PASSWORD;
  if (!email || !password) return;

  const users = strapi.service('admin::user');
  if ((await users.count()) > 0) return;

  const superAdmin = await strapi.service('admin::role').getSuperAdmin();
  if (!superAdmin) throw new Error('The Super Admin role is missing; the admin plugin did not bootstrap.');

  await users.create({
    email,
    firstname: process.env.ADMIN_FIRSTNAME ?? 'Admin',
    lastname: process.env.ADMIN_LASTNAME ?? '',
    password,
    isActive: true,
    registrationToken: null,
    // Staff work in Russian (the admin applies the account's language after login; English is one click away).
    preferedLanguage: 'ru',
    roles: [superAdmin.id],
  });
  strapi.log.info(`First staff account created for ${email}`);
}
