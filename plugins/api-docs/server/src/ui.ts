import fs from 'fs';
import path from 'path';

/**
 * Swagger UI, served from the swagger-ui-dist package (no CDN: the servers may have no internet access).
 * Everything is addressed relative to `<base href>`, so the page works behind a `server.url` with a path.
 */

const swaggerUiDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));

// Starts the UI on the spec next to the page. A file rather than an inline script, so no CSP exception
// is needed for it.
const INIT_SCRIPT = `window.ui = SwaggerUIBundle({
  url: 'openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
});
`;

interface Asset {
  type: string;
  read(): Buffer | string;
}

/** The only files served under /documentation/assets/: the generic UI code, nothing about our API. */
export const assets: Readonly<Record<string, Asset>> = {
  'swagger-ui.css': { type: 'text/css', read: () => fs.readFileSync(path.join(swaggerUiDir, 'swagger-ui.css')) },
  'swagger-ui-bundle.js': {
    type: 'application/javascript',
    read: () => fs.readFileSync(path.join(swaggerUiDir, 'swagger-ui-bundle.js')),
  },
  'init.js': { type: 'application/javascript', read: () => INIT_SCRIPT },
};

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** `baseUrl` is where the documentation routes live, e.g. `/documentation` or `https://host/documentation`. */
export const renderPage = (title: string, baseUrl: string): string => `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(title)}</title>
    <base href="${escapeHtml(baseUrl)}/" />
    <link rel="stylesheet" href="assets/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="assets/swagger-ui-bundle.js"></script>
    <script src="assets/init.js"></script>
  </body>
</html>
`;
