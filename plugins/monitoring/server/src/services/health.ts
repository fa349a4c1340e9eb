import type { Core } from '@strapi/strapi';

export type ComponentState = 'up' | 'down';

export interface HealthReport {
  status: 'ok' | 'unavailable';
  checks: { database: ComponentState };
}

const DATABASE_TIMEOUT_MS = 2000;

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });

const healthService = ({ strapi }: { strapi: Core.Strapi }) => ({
  async databaseState(): Promise<ComponentState> {
    try {
      await withTimeout(Promise.resolve(strapi.db.connection.raw('select 1')), DATABASE_TIMEOUT_MS);
      return 'up';
    } catch (error) {
      strapi.log.warn(`health: database check failed: ${(error as Error).message}`);
      return 'down';
    }
  },

  async report(): Promise<HealthReport> {
    const database = await this.databaseState();
    return { status: database === 'up' ? 'ok' : 'unavailable', checks: { database } };
  },
});

export type HealthService = ReturnType<typeof healthService>;
export default healthService;
