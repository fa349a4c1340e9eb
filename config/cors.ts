import type { Core } from '@strapi/strapi';

/**
 * The browser origins allowed to call this server cross-origin, with credentials: the strapi::cors entry of
 * config/middlewares.ts answers only them, and global::origin-guard refuses writes from any other origin.
 * Read through `strapi.config.get('cors.origins')`.
 *
 * CORS_ORIGINS (comma-separated origins) replaces the default: the origin of PUBLIC_URL, plus
 * http://localhost:PORT and http://127.0.0.1:PORT under NODE_ENV=development (Strapi 5 serves the admin
 * panel's dev server on the same port). `*` and `null` are refused: a wildcard with credentials is the bug this fixes.
 */
export interface CorsSettings {
  origins: string[];
}

function toOrigin(value: string, variable: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${variable}: "${value}" is not an origin such as https://cowork.example.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${variable}: "${value}" is not an http(s) origin`);
  }
  return url.origin;
}

const config = ({ env }: Core.Config.Shared.ConfigParams): CorsSettings => {
  const listed = env('CORS_ORIGINS', '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  if (listed.length > 0) return { origins: [...new Set(listed.map((origin) => toOrigin(origin, 'CORS_ORIGINS')))] };

  const origins: string[] = [];
  const publicUrl = env('PUBLIC_URL', '');
  if (publicUrl) origins.push(toOrigin(publicUrl, 'PUBLIC_URL'));
  if (env('NODE_ENV', 'development') === 'development') {
    const port = env.int('PORT', 1337);
    origins.push(`http://localhost:${port}`, `http://127.0.0.1:${port}`);
  }
  return { origins };
};

export default config;
