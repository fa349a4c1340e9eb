/**
 * Credentials for API tests: staff accounts with an admin role (logged in over HTTP), members with a
 * users-permissions JWT, and content-API tokens.
 */
import request from 'supertest';
import type { Core } from '@strapi/strapi';

// Meets the admin password rules (8+ characters, upper and lower case, a digit).
export const STAFF_PASSWORD = 'Staff-Passw0rd';

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now()}-${counter++}`;

/** Creates an active admin user holding the admin role with this code (e.g. strapi-super-admin). */
export async function createStaffUser(strapi: Core.Strapi, roleCode: string): Promise<{ id: number; email: string }> {
  const role = await strapi.service('admin::role').findOne({ code: roleCode });
  if (!role) throw new Error(`No admin role with code ${roleCode}`);
  const email = `${unique(roleCode)}@staff.example.com`;
  const user = await strapi.service('admin::user').create({
    email,
    firstname: 'Test',
    lastname: roleCode,
    password: STAFF_PASSWORD,
    isActive: true,
    registrationToken: null,
    // As for every staff account the project creates (src/bootstrap/first-admin.ts): the admin in Russian.
    preferedLanguage: 'ru',
    roles: [role.id],
  });
  return { id: user.id, email };
}

/** Logs in through POST /admin/login, as the admin panel does, and returns the access token. */
export async function adminLogin(strapi: Core.Strapi, email: string, password = STAFF_PASSWORD): Promise<string> {
  const res = await request(strapi.server.httpServer).post('/admin/login').send({ email, password });
  if (res.status !== 200) throw new Error(`Admin login failed for ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.token;
}

/** A staff account with the given admin role, logged in. */
export async function staffToken(strapi: Core.Strapi, roleCode: string): Promise<string> {
  const { email } = await createStaffUser(strapi, roleCode);
  return adminLogin(strapi, email);
}

export interface TestMember {
  id: number;
  documentId: string;
  email: string;
  password: string;
}

/**
 * Creates a member with the Authenticated role. Real members have no password (they sign in through Telegram);
 * this one has one, so tests can show that the password routes stay closed even to an account that has one.
 */
export async function createMember(strapi: Core.Strapi): Promise<TestMember> {
  const role = await strapi.db.query('plugin::users-permissions.role').findOne({ where: { type: 'authenticated' } });
  const username = unique('member');
  const email = `${username}@example.com`;
  const password = 'Member-Passw0rd';
  // The plugin's service goes through the Document Service, which hashes the password.
  const user = await strapi.plugin('users-permissions').service('user').add({
    username,
    email,
    password,
    provider: 'local',
    confirmed: true,
    role: role.id,
  });
  return { id: user.id, documentId: user.documentId, email, password };
}

/**
 * Issues a member access token without going through HTTP. With jwtManagement 'refresh' the plugin's jwt service
 * opens a session through the session manager and returns its (10-minute) access token, which works while the
 * session is open (src/extensions/users-permissions).
 */
export async function memberToken(strapi: Core.Strapi, memberId: number): Promise<string> {
  return strapi.plugin('users-permissions').service('jwt').issue({ id: memberId });
}

/** Creates a content-API token of a built-in type and returns its plain access key. */
export async function createApiToken(strapi: Core.Strapi, type: 'read-only' | 'full-access'): Promise<string> {
  const token = await strapi.service('admin::api-token-content-api').create({
    name: unique(type),
    description: 'test token',
    kind: 'content-api',
    type,
    lifespan: null,
  });
  return token.accessKey;
}
