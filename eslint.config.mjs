// ESLint flat config. Besides the TypeScript rules, it enforces the dependency direction of the suite:
//   common ← auth ← streaming / queue / realtime ← apps
// A lib imports another lib only through its package name (its public barrel), never its files.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Node's globals, for the plain JavaScript files (scripts/, bench/); TypeScript files are checked by tsc.
const nodeGlobals = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    'URL',
    'URLSearchParams',
    'TextEncoder',
    'TextDecoder',
    'AbortController',
    'AbortSignal',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'clearImmediate',
    'queueMicrotask',
    'structuredClone',
    'performance',
    'fetch',
    'Response',
    'Request',
    'Headers',
    'crypto',
    'global',
    '__dirname',
    '__filename',
    'require',
    'exports',
  ].map((name) => [name, 'readonly']),
);
nodeGlobals.module = 'writable';

// `@databus/common/amqp` and `@databus/common/internal` are the published subpaths: the private AMQP layer of
// streaming and queue, and the mechanisms the libs share with each other.
const deepImports = {
  group: [
    '@databus/*/*',
    '!@databus/common/amqp',
    '!@databus/common/internal',
    '**/libs/*/src/**',
    '../../*/src/**',
    '../../../*/src/**',
  ],
  message:
    'Import another @databus lib through its package name (its public barrel or a published subpath), never its files.',
};
const forbid = (...names) =>
  names.map((name) => ({
    name: `@databus/${name}`,
    message: `This lib may not depend on @databus/${name} (direction: common ← auth ← streaming/queue/realtime ← apps).`,
  }));
const restrict = (files, names) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { paths: forbid(...names), patterns: [deepImports] }] },
});
// A lib's own unit specs may use the suite's test kit (@databus/testing, never shipped); its code may not.
const layer = (files, ...names) => [
  restrict(files, names),
  restrict(
    files.map((glob) => `${glob}/*.spec.ts`),
    names.filter((name) => name !== 'testing'),
  ),
];

export default tseslint.config(
  { ignores: ['**/dist/**', 'node_modules/**', 'bench/results/**', '.pack-smoke/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: nodeGlobals },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: [
      '**/*.spec.ts',
      '**/*.int-spec.ts',
      '**/*.e2e-spec.ts',
      '**/test/**/*.ts',
      'bench/**',
      'scripts/**',
      'apps/**',
    ],
    rules: { 'no-console': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
  ...layer(['libs/common/src/**'], 'auth', 'streaming', 'queue', 'realtime', 'outbox', 'asyncapi', 'testing'),
  ...layer(['libs/auth/src/**'], 'streaming', 'queue', 'realtime', 'outbox', 'asyncapi', 'testing'),
  ...layer(['libs/streaming/src/**'], 'queue', 'realtime', 'outbox', 'asyncapi', 'testing'),
  ...layer(['libs/queue/src/**'], 'streaming', 'realtime', 'outbox', 'asyncapi', 'testing'),
  ...layer(['libs/realtime/src/**'], 'queue', 'outbox', 'asyncapi', 'testing'),
  ...layer(['libs/outbox/src/**'], 'auth', 'realtime', 'asyncapi', 'testing'),
  ...layer(['libs/asyncapi/src/**'], 'auth', 'streaming', 'queue', 'realtime', 'outbox', 'testing'),
  ...layer(['apps/**', 'libs/*/test/**', 'bench/**']),
);
