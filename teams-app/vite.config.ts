import react from '@vitejs/plugin-react';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig } from 'vite';

// Built into build/tab at the repository root; the server serves it on the API's origin, so
// relative /api and /config.json calls need no CORS. The manifest lets bench/tab-size.ts follow
// exactly which chunks each view loads.
const root = new URL('.', import.meta.url).pathname;

// MSAL's nested app authentication classes, which its package exports do not expose: its public
// entry (createNestablePublicClientApplication) always bundles the standard browser controller
// as a fallback, about 40 KB gzip the tab never runs (it falls back to Teams SSO instead).
// tsconfig.json maps the same specifier to MSAL's own type declarations; src/auth/msal-naa.ts
// is the only importer.
const msalDist = join(
  dirname(createRequire(import.meta.url).resolve('@azure/msal-browser/package.json')),
  'dist',
);

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  resolve: {
    alias: [{ find: /^msal-browser-internal\/(.*)$/, replacement: `${msalDist}/$1.mjs` }],
  },
  build: {
    outDir: new URL('../build/tab/', import.meta.url).pathname,
    emptyOutDir: true,
    manifest: true,
    sourcemap: false,
    target: 'es2022',
    // Budgets are gzip bytes per view, measured by bench:tab; raw chunk size says little.
    chunkSizeWarningLimit: 1000,
    rolldownOptions: {
      output: {
        // Everything the entry imports statically stays in one first-load chunk: left alone,
        // Rolldown splits out what the entry shares with lazy chunks (Fluent's field code, which
        // Admin and the dev user switcher use too), and two files gzip worse than one.
        codeSplitting: { groups: [{ name: 'first-load', tags: ['$initial'] }] },
      },
    },
  },
});
