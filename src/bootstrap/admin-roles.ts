import type { Core } from '@strapi/strapi';

// PLACEHOLDER (being written): Manager, Support, Marketing admin roles.
export async function ensureStaffRoles(_strapi: Core.Strapi): Promise<void> {}
