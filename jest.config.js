/** @type {import('jest').Config} */
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tests/tsconfig.json' }];

module.exports = {
  testTimeout: 120000,
  // Server logs go to .tmp/logs/ (tests/helpers/server-log.js); a failed test file's tail is printed after it.
  reporters: ['default', '<rootDir>/tests/helpers/server-log-reporter.js'],
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: { '^.+\\.tsx?$': tsJest },
      testMatch: ['<rootDir>/tests/unit/**/*.test.ts'],
    },
    {
      displayName: 'api',
      testEnvironment: 'node',
      transform: { '^.+\\.tsx?$': tsJest },
      testMatch: ['<rootDir>/tests/api/**/*.test.ts'],
      // Compiles the app (and our plugins) once per run; each test file then boots its own Strapi.
      globalSetup: '<rootDir>/tests/helpers/global-setup.js',
      setupFiles: ['<rootDir>/tests/helpers/test-env.js'],
      setupFilesAfterEnv: ['<rootDir>/tests/helpers/server-log.js'],
    },
    {
      // Regression tests of the security findings, the route fuzz and the authorisation matrix (real Strapi over HTTP).
      displayName: 'security',
      testEnvironment: 'node',
      transform: { '^.+\\.tsx?$': tsJest },
      testMatch: ['<rootDir>/tests/security/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/helpers/global-setup.js',
      setupFiles: ['<rootDir>/tests/helpers/test-env.js'],
      setupFilesAfterEnv: ['<rootDir>/tests/helpers/server-log.js'],
    },
    {
      // The Telegram bot end to end: the real bot against the Telegram stand-in, the real Strapi (compiled by
      // the same global setup) and the YooKassa stand-in.
      displayName: 'bot',
      testEnvironment: 'node',
      transform: { '^.+\\.tsx?$': tsJest },
      testMatch: ['<rootDir>/tests/bot/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/helpers/global-setup.js',
      setupFiles: ['<rootDir>/tests/helpers/test-env.js'],
      setupFilesAfterEnv: ['<rootDir>/tests/helpers/server-log.js'],
    },
    {
      // The admin panel in a real Chromium (Debian's, through playwright-core): the same compile, plus the admin
      // bundle in <dist>/build (reused from `npm run build`, else built once) and one browser for the whole run
      // (tests/browser/global-setup.js). Each file boots Strapi serving the panel on a free port. Long timeouts.
      displayName: 'browser',
      testEnvironment: 'node',
      transform: { '^.+\\.tsx?$': tsJest },
      testMatch: ['<rootDir>/tests/browser/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/browser/global-setup.js',
      globalTeardown: '<rootDir>/tests/browser/global-teardown.js',
      setupFiles: ['<rootDir>/tests/helpers/test-env.js'],
      setupFilesAfterEnv: ['<rootDir>/tests/helpers/server-log.js', '<rootDir>/tests/browser/setup.js'],
    },
  ],
};
