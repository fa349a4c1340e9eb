import type { Core } from '@strapi/strapi';

/**
 * The local demo's settings. The .env that scripts/start-local.sh generates turns both on, and Strapi loads .env
 * whatever NODE_ENV says (docker-compose.yml passes it too), so under NODE_ENV=production they count only with
 * ALLOW_DEMO_SETTINGS=true: start-local.sh sets it for its own run, docker-compose.yml forces it off.
 * Read through `strapi.config.get('demo')`; config/plugins.ts calls demoSettings() for the docs.
 */
export interface DemoSettings {
  /** SEED_DEMO: load the demo resources, tariffs, members and history at boot */
  seed: boolean;
  /** DOCUMENTATION_PUBLIC: serve /documentation without credentials (default: outside production) */
  documentationPublic: boolean;
  /** demo values set but not honoured, for the boot log */
  ignored: string[];
}

export function demoSettings(env: Core.Config.Shared.ConfigParams['env']): DemoSettings {
  const production = env('NODE_ENV', 'development') === 'production';
  const honoured = !production || env.bool('ALLOW_DEMO_SETTINGS', false);
  const seed = env.bool('SEED_DEMO', false);
  const documentationPublic = env.bool('DOCUMENTATION_PUBLIC', !production);
  const ignored = honoured
    ? []
    : [seed && 'SEED_DEMO=true', documentationPublic && 'DOCUMENTATION_PUBLIC=true'].filter(
        (value): value is string => typeof value === 'string',
      );
  return { seed: seed && honoured, documentationPublic: documentationPublic && honoured, ignored };
}

export default ({ env }: Core.Config.Shared.ConfigParams): DemoSettings => demoSettings(env);
