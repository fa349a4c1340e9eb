import type { Core } from '@strapi/strapi';

/**
 * The money custom field: an integer amount in kopecks (ARCHITECTURE §3.1), typed and shown as rubles in the
 * admin (admin/src/custom-fields/money.ts). Its database column, validation, REST answers and OpenAPI schema
 * are those of a plain `integer`: Strapi swaps `type: "customField"` for this `type` at the end of register,
 * and keeps `customField: "plugin::booking-desk.money"` on the attribute for the admin.
 *
 * Schemas use it as `{ "type": "customField", "customField": "plugin::booking-desk.money", "min": 0, ... }`.
 */
export const MONEY_FIELD_NAME = 'money';
export const MONEY_FIELD_UID = 'plugin::booking-desk.money';

export function registerMoneyField(strapi: Core.Strapi): void {
  strapi.customFields.register({
    name: MONEY_FIELD_NAME,
    plugin: 'booking-desk',
    type: 'integer',
    // No inputSize: the content manager then sizes it as the integer it is, and edit layouts keep their shape.
  });
}
