import type { Core } from '@strapi/strapi';

// PLACEHOLDER (being written): public / authenticated role permissions, sign-up off.
export async function configureMemberAccess(_strapi: Core.Strapi): Promise<void> {}
