import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served at /admin/ by the demo's web front (mock/demo/web.ts) or any static server, with /api
// passed to the BFF on the same origin. `npm run dev` passes /api to a BFF on 8080.
export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
