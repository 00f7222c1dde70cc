// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

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
    // One gateway for HTTP to Graph.
    files: ['src/**/*.ts'],
    ignores: ['src/adapters/graph/graph-gateway.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@microsoft/microsoft-graph-client',
              message: 'All Graph HTTP goes through src/adapters/graph/graph-gateway.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    // The domain is pure: only its own files, zod and node:crypto (hashing is computation, not I/O).
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!(zod|node:crypto)$)(?!\\./)',
              message:
                'src/domain is pure: import only from src/domain, zod or node:crypto. Put I/O in an adapter behind a port.',
            },
          ],
        },
      ],
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
    // Ports and services depend on the domain, never on adapters.
    files: ['src/ports/**/*.ts', 'src/services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '/(adapters|emulator|api|bot|server|cli)/',
              message: 'Services and ports depend on the domain and ports only; adapters plug in.',
            },
            {
              regex:
                '^(node:(fs|http|https|net|sqlite|child_process)|@microsoft/microsoft-graph-client)',
              message: 'No I/O in services: go through a port.',
            },
          ],
        },
      ],
    },
  },
);
