# The Strapi server (API, admin panel, our plugins) for production, and the Telegram bot as its own image.
# docker-compose.yml runs them with PostgreSQL and Redis.
# Build: docker build -t coworking-strapi .   (the last stage, `runtime`)
#        docker build --target bot -t coworking-bot .
# Node 22, inside package.json's engines (Node 20 to 26, as Strapi 5.54 declares; CI runs Node 20).
ARG NODE_IMAGE=node:22-bookworm-slim

# --- deps: every dependency, dev ones included (the build needs TypeScript and the admin bundler) ---
FROM ${NODE_IMAGE} AS deps
WORKDIR /opt/app
# better-sqlite3 compiles from source when no prebuilt binary matches or none can be downloaded.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# --- build: our plugins' servers, the app's TypeScript and the admin panel, then drop dev dependencies ---
FROM deps AS build
ENV NODE_ENV=production \
    STRAPI_TELEMETRY_DISABLED=true
COPY . .
RUN npm run build \
  && npm prune --omit=dev --no-audit --no-fund

# --- bot-build: the Telegram bot (bot/, docs/BOT.md) bundled with its dependencies into one file ---
FROM deps AS bot-build
COPY tsconfig.json ./
COPY scripts/bundle-bot.js ./scripts/
COPY types/contracts ./types/contracts
COPY bot ./bot
RUN node scripts/bundle-bot.js /opt/app/bot-dist/bot.js

# --- bot: the bundle on a bare Node image, no node_modules, run as `node`. It talks to Strapi over HTTP only.
# Long polling, or webhook mode on BOT_WEBHOOK_PORT (8080) when BOT_WEBHOOK_URL is set.
FROM ${NODE_IMAGE} AS bot
ENV NODE_ENV=production
WORKDIR /opt/bot
COPY --from=bot-build /opt/app/bot-dist/ ./
USER node
EXPOSE 8080
# Node as PID 1: SIGTERM reaches the bot, which stops fetching and finishes the updates in hand.
CMD ["node", "--enable-source-maps", "bot.js"]

# --- runtime: compiled output and production dependencies only, run as the unprivileged `node` user ---
# Same base as the deps stage, so the native modules compiled there match this system's libraries.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=1337 \
    STRAPI_TELEMETRY_DISABLED=true
WORKDIR /opt/app
# Owned by root, so the server cannot rewrite its own code; only the data folders below are writable.
COPY --from=build /opt/app/package.json /opt/app/tsconfig.json /opt/app/favicon.png ./
COPY --from=build /opt/app/node_modules ./node_modules
COPY --from=build /opt/app/dist ./dist
COPY --from=build /opt/app/plugins ./plugins
COPY --from=build /opt/app/public ./public
# public/uploads: local uploads (a volume in docker-compose.yml); .tmp: the SQLite file when run without PostgreSQL.
RUN mkdir -p public/uploads .tmp \
  && chown node:node public/uploads .tmp
USER node
EXPOSE 1337
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/api/monitoring/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node itself as PID 1 (not npm), so `docker stop`'s SIGTERM reaches Strapi, which shuts down cleanly on it.
CMD ["node", "node_modules/@strapi/strapi/bin/strapi.js", "start"]
