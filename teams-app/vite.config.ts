import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built into build/tab at the repository root; the server serves it on the API's origin, so
// relative /api and /config.json calls need no CORS. The manifest lets bench/tab-size.ts follow
// exactly which chunks each view loads.
const root = new URL('.', import.meta.url).pathname;

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: new URL('../build/tab/', import.meta.url).pathname,
    emptyOutDir: true,
    manifest: true,
    sourcemap: false,
    target: 'es2022',
    // Budgets are gzip bytes per view, measured by bench:tab; raw chunk size says little.
    chunkSizeWarningLimit: 1000,
  },
});
