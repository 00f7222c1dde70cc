// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/**
 * The layer table (ARCHITECTURE.md, "Direction of dependencies"): each folder may import only
 * what its row names. A broken rule prints the rule's name and the row, so lint says which rule
 * a file broke. Tests, benchmarks and scripts are unrestricted.
 */
const GRAPH_CLIENT = {
  name: '@microsoft/microsoft-graph-client',
  message:
    'Rule "one Graph gateway": all Graph HTTP goes through src/adapters/graph/graph-gateway.ts.',
};
const IO_MODULES = {
  regex:
    '^(node:(fs|fs/promises|http|https|net|sqlite|child_process)|@microsoft/microsoft-graph-client)$',
  message: 'Rule "no I/O below the adapters": ports and services go through a port for I/O.',
};

/** The domain's row: pure, so only its own files, zod and node:crypto. */
function domainImports(regex) {
  return {
    regex,
    message:
      'src/domain is pure: import only from src/domain, zod or node:crypto. Put I/O in an adapter behind a port.',
  };
}

/**
 * One row of the table: `files` may not import from the `forbidden` folders of src/. Rows for
 * files outside src/ (the tab) set `outside`, so only paths through src/ match and the tab's own
 * folders of the same names do not; `except` names subfolders of a forbidden folder allowed.
 */
function layer(
  rule,
  files,
  forbidden,
  { io = false, graphClient = true, ignores, outside = false, except = [] } = {},
) {
  const allowed = except.map((path) => `(?!${path}(/|$))`).join('');
  const but = except.length === 0 ? '' : ` (but src/${except.join(', src/')})`;
  return {
    files,
    ...(ignores === undefined ? {} : { ignores }),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: graphClient ? [GRAPH_CLIENT] : [],
          patterns: [
            {
              // Relative paths only: a package whose name ends in a folder's name
              // (`@opentelemetry/api`) is not the app's src/api.
              regex: `^\\.{1,2}/(.*/)?${outside ? 'src/' : ''}${allowed}(${forbidden.join('|')})(/|$)`,
              message: `Layer rule "${rule}" (ARCHITECTURE.md): this folder may not import from src/${forbidden.join(', src/')}${but}.`,
            },
            ...(io ? [IO_MODULES] : []),
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'build/**',
      'dist/**',
      'coverage/**',
      'devTools/**',
      '.data/**',
      'teams-app/dist/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // The tab (and its component tests) run in a browser: its own tsconfig with the DOM lib.
    files: ['teams-app/**/*.{ts,tsx}', 'tests/tab/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // The tab's React: the rules of hooks and the React Compiler's checks, as recommended; a
    // missing effect dependency fails lint like everything else rather than warning.
    files: ['teams-app/**/*.{ts,tsx}', 'tests/tab/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
    rules: {
      ...reactHooks.configs.flat.recommended.rules,
      'react-hooks/exhaustive-deps': ['error', { additionalHooks: '^useLoad$' }],
    },
  },
  {
    // The domain is pure: only its own files, zod and node:crypto (hashing is computation, not I/O).
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: 'No I/O in the domain.' },
        { name: 'process', message: 'No I/O in the domain: pass configuration in.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'The domain takes the time as an argument (the Clock port), never reads it.',
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'The domain takes the time as an argument (the Clock port), never reads it.',
        },
      ],
    },
  },
  {
    // src/domain's own files only: "./" at the top, and "../" (but not out of it) one level down.
    files: ['src/domain/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [domainImports('^(?!(zod|node:crypto)$)(?!\\./)')] },
      ],
    },
  },
  {
    files: ['src/domain/*/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [domainImports('^(?!(zod|node:crypto)$)(?!\\./)(?!\\.\\./(?!\\.\\./))')] },
      ],
    },
  },
  layer(
    'ports → domain',
    ['src/ports/**/*.ts'],
    ['adapters', 'services', 'bot', 'api', 'server', 'cli', 'dev', 'importer', 'packaging', 'http'],
    { io: true },
  ),
  layer(
    'services → domain, ports',
    ['src/services/**/*.ts'],
    ['adapters', 'bot', 'api', 'server', 'cli', 'dev', 'importer', 'packaging', 'http'],
    { io: true },
  ),
  layer(
    'adapters → domain, ports',
    ['src/adapters/**/*.ts'],
    ['services', 'bot', 'api', 'server', 'cli', 'dev', 'importer', 'packaging', 'http'],
    { ignores: ['src/adapters/graph/graph-gateway.ts'] },
  ),
  layer(
    'adapters → domain, ports',
    ['src/adapters/graph/graph-gateway.ts'],
    ['services', 'bot', 'api', 'server', 'cli', 'dev', 'importer', 'packaging', 'http'],
    { graphClient: false },
  ),
  layer(
    'importer → domain',
    ['src/importer/**/*.ts'],
    ['ports', 'services', 'adapters', 'bot', 'api', 'server', 'cli', 'dev', 'packaging', 'http'],
  ),
  layer(
    'bot → domain, ports, services',
    ['src/bot/**/*.ts'],
    ['adapters', 'api', 'server', 'cli', 'dev', 'importer', 'packaging'],
  ),
  layer(
    'api → domain, ports, services',
    ['src/api/**/*.ts'],
    ['adapters', 'bot', 'server', 'cli', 'dev', 'importer', 'packaging'],
  ),
  layer('server (composition root) → all but dev', ['src/server/**/*.ts'], ['dev']),
  layer('cli → all but dev (dev tools load on demand)', ['src/cli/**/*.ts'], ['dev']),
  layer(
    'config → domain',
    ['src/config/**/*.ts'],
    [
      'ports',
      'services',
      'adapters',
      'bot',
      'api',
      'server',
      'cli',
      'dev',
      'importer',
      'packaging',
      'http',
    ],
  ),
  layer(
    'http → nothing of the app',
    ['src/http/**/*.ts'],
    [
      'domain',
      'ports',
      'services',
      'adapters',
      'bot',
      'api',
      'server',
      'cli',
      'config',
      'dev',
      'importer',
      'packaging',
    ],
  ),
  layer(
    'tab → API contract, domain',
    ['teams-app/**/*.{ts,tsx}'],
    [
      'api',
      'ports',
      'services',
      'adapters',
      'bot',
      'server',
      'cli',
      'config',
      'dev',
      'importer',
      'packaging',
      'http',
    ],
    { outside: true, except: ['api/contract'] },
  ),
  layer(
    'packaging → domain',
    ['src/packaging/**/*.ts'],
    ['ports', 'services', 'adapters', 'bot', 'api', 'server', 'cli', 'dev', 'importer', 'http'],
  ),
);
