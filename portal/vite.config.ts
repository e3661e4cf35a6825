/**
 * The portal's build: a single-page application under `/portal/`, every asset bundled (the platform runs on closed
 * networks: no CDN, no web font, nothing fetched from elsewhere). The gateway serves `dist/` (gateway/src/portal/).
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  base: '/portal/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 4096 },
  server: { proxy: { '/graphql': 'http://localhost:4000', '/portal/config.json': 'http://localhost:4000', '/reports': 'http://localhost:4000' } },
});
