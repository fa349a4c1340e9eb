import { createElement } from 'react';
import { PriceTag } from '@strapi/icons';
import type { AdminApp } from '../index';
import { MoneyCell } from './MoneyCell';

/** The money custom field (server: server/src/custom-fields/money.ts): integer kopecks, typed as rubles. */
export const MONEY_FIELD_UID = 'plugin::booking-desk.money';

/** Registers the money custom field's input (rubles over integer kopecks). Called from the plugin's register. */
export function registerMoneyFieldAdmin(app: AdminApp): void {
  app.customFields.register({
    name: 'money',
    pluginId: 'booking-desk',
    type: 'integer',
    intlLabel: { id: 'booking-desk.money.label', defaultMessage: 'Money (RUB)' },
    intlDescription: {
      id: 'booking-desk.money.description',
      defaultMessage: 'An amount typed and shown in rubles, stored as integer kopecks',
    },
    icon: PriceTag,
    components: { Input: async () => import('./MoneyInput') },
    options: {
      base: [],
      advanced: [
        {
          sectionTitle: { id: 'global.settings', defaultMessage: 'Settings' },
          items: [
            {
              name: 'required',
              type: 'checkbox',
              intlLabel: { id: 'form.attribute.item.requiredField', defaultMessage: 'Required field' },
              description: {
                id: 'form.attribute.item.requiredField.description',
                defaultMessage: "You won't be able to create an entry if this field is empty",
              },
            },
          ],
        },
      ],
    },
  });
}

/** A list-view column header as the content manager's inject-column-in-table hook passes it (the parts we use). */
interface ListHeader {
  name: string;
  attribute?: { type?: string; customField?: string };
  cellFormatter?: unknown;
}

interface HookApp {
  registerHook(name: string, fn: (args: { displayedHeaders: ListHeader[]; layout: unknown }) => unknown): void;
}

/**
 * List views show money columns as "700,00 ₽" rather than 70000: the content manager's supported way to
 * render a cell is a `cellFormatter` on the header, set here through the hook the i18n plugin uses for its
 * locale column. Called from the plugin's bootstrap (the hook exists once the content manager registered).
 */
export function registerMoneyListCells(app: AdminApp): void {
  (app as unknown as HookApp).registerHook('Admin/CM/pages/ListView/inject-column-in-table', ({ displayedHeaders, layout }) => ({
    displayedHeaders: displayedHeaders.map((header) =>
      header.attribute?.customField === MONEY_FIELD_UID && header.cellFormatter === undefined
        ? {
            ...header,
            cellFormatter: (row: Record<string, unknown>) => createElement(MoneyCell, { value: row[header.name] }),
          }
        : header,
    ),
    layout,
  }));
}
