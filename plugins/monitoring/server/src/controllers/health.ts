import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import type { HealthService } from '../services/health';

const healthController = ({ strapi }: { strapi: Core.Strapi }) => ({
  async check(ctx: Context) {
    const report = await (strapi.plugin('monitoring').service('health') as HealthService).report();
    ctx.set('Cache-Control', 'no-store');
    ctx.status = report.status === 'ok' ? 200 : 503;
    ctx.body = report;
  },
});

export default healthController;
