import type { Core } from '@strapi/strapi';
import type { Context } from 'koa';
import { PLUGIN_ID, ROUTE_PREFIX, type DocumentationConfig } from '../config';
import type { SpecService } from '../services/spec';
import { assets, renderPage } from '../ui';

const documentationController = ({ strapi }: { strapi: Core.Strapi }) => ({
  ui(ctx: Context) {
    const { info } = strapi.config.get(`plugin::${PLUGIN_ID}`) as DocumentationConfig;
    const serverUrl = strapi.config.get('server.url', '') as string;
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'text/html';
    ctx.body = renderPage(info.title, `${serverUrl}${ROUTE_PREFIX}`);
  },

  spec(ctx: Context) {
    // no-store: outside development the document is for authenticated readers only.
    ctx.set('Cache-Control', 'no-store');
    ctx.body = (strapi.plugin(PLUGIN_ID).service('spec') as SpecService).document();
  },

  asset(ctx: Context) {
    const asset = Object.hasOwn(assets, ctx.params.file) ? assets[ctx.params.file] : undefined;
    if (asset === undefined) return ctx.notFound();
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.type = asset.type;
    ctx.body = asset.read();
  },
});

export default documentationController;
