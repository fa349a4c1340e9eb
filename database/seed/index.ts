import type { Core } from '@strapi/strapi';

// PLACEHOLDER (being written): demo resources, tariffs, promo codes, members and history.
export async function seedDemoData(_strapi: Core.Strapi): Promise<void> {}
