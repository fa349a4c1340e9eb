import path from 'path';
import type { Core } from '@strapi/strapi';

type Env = Core.Config.Shared.ConfigParams['env'];

const postgresConnection = (env: Env) => {
  const ssl = env.bool('DATABASE_SSL', false) && {
    rejectUnauthorized: env.bool('DATABASE_SSL_REJECT_UNAUTHORIZED', true),
    ca: env('DATABASE_SSL_CA', undefined),
  };
  const url = env('DATABASE_URL', '');
  // DATABASE_URL wins when set; otherwise the separate variables describe the server.
  const target = url
    ? { connectionString: url }
    : {
        host: env('DATABASE_HOST', 'localhost'),
        port: env.int('DATABASE_PORT', 5432),
        database: env('DATABASE_NAME', 'coworking'),
        user: env('DATABASE_USERNAME', 'coworking'),
        password: env('DATABASE_PASSWORD', ''),
      };
  return {
    client: 'postgres' as const,
    connection: { ...target, ssl, schema: env('DATABASE_SCHEMA', 'public') },
    pool: { min: env.int('DATABASE_POOL_MIN', 2), max: env.int('DATABASE_POOL_MAX', 10) },
  };
};

const sqliteConnection = (env: Env) => ({
  client: 'sqlite' as const,
  connection: {
    // Relative paths are taken from the app root (this file runs from dist/config).
    filename: path.resolve(__dirname, '..', '..', env('DATABASE_FILENAME', '.tmp/data.db')),
  },
  useNullAsDefault: true,
  pool: {
    // Write-ahead logging: readers do not wait for a writer, and with synchronous=NORMAL a commit does not
    // wait for the disk (a power cut may lose the last commits, never corrupt the file). SQLITE_SYNCHRONOUS=FULL
    // restores the safest setting.
    afterCreate(connection: { pragma(sql: string): unknown }, done: (error: Error | null, connection: unknown) => void) {
      try {
        connection.pragma('journal_mode = WAL');
        connection.pragma(`synchronous = ${env('SQLITE_SYNCHRONOUS', 'NORMAL') === 'FULL' ? 'FULL' : 'NORMAL'}`);
        done(null, connection);
      } catch (error) {
        done(error as Error, connection);
      }
    },
  },
});

const config = ({ env }: Core.Config.Shared.ConfigParams): Core.Config.Database => {
  const client = env('DATABASE_CLIENT', 'sqlite');
  if (client !== 'sqlite' && client !== 'postgres') {
    throw new Error(`Unsupported DATABASE_CLIENT "${client}": use "sqlite" (default) or "postgres".`);
  }
  const connection = client === 'postgres' ? postgresConnection(env) : sqliteConnection(env);
  return {
    connection: {
      ...connection,
      acquireConnectionTimeout: env.int('DATABASE_CONNECTION_TIMEOUT', 60000),
    },
    // Migrations are TypeScript in database/migrations, compiled next to the app.
    settings: { useTypescriptMigrations: true },
  } as Core.Config.Database;
};

export default config;
