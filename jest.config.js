/**
 * Three Jest projects:
 * - unit: `*.spec.ts` beside the code, no network;
 * - integration: `*.int-spec.ts` under `libs/<lib>/test`, real brokers on loopback;
 * - e2e: `*.e2e-spec.ts` under `apps/<app>/test`;
 * - cluster: `*.cluster-spec.ts` under `libs/<lib>/test`, clusters of broker processes the tests start
 *   themselves on free loopback ports (`npm run test:cluster`: one file at a time, under a lock).
 * ts-jest transpiles only (isolated modules); `npm run typecheck` type-checks everything once.
 */
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  moduleNameMapper: {
    '^@databus/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^@databus/([a-z-]+)/([a-z-]+)$': '<rootDir>/libs/$1/src/$2/index.ts',
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['reflect-metadata'],
  rootDir: __dirname,
};

module.exports = {
  globalSetup: '<rootDir>/test/global-setup.ts',
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/libs/*/src/**/*.spec.ts',
        '<rootDir>/apps/*/src/**/*.spec.ts',
        '<rootDir>/test/**/*.spec.ts',
      ],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/libs/*/test/**/*.int-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/hang-guard.ts'],
      slowTestThreshold: 30,
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/apps/*/test/**/*.e2e-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/hang-guard.ts'],
      slowTestThreshold: 60,
    },
    {
      ...shared,
      displayName: 'cluster',
      testMatch: ['<rootDir>/libs/*/test/**/*.cluster-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/cluster-guard.ts'],
      slowTestThreshold: 60,
    },
  ],
};
