import adapter from '@sveltejs/adapter-static';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// The console is a static single-page app: `tarka serve` hands out build/ and answers every
// client-side route with index.html. `vite dev` proxies the API to a local `tarka up`.
export default defineConfig({
  plugins: [
    sveltekit({
      adapter: adapter({ fallback: 'index.html', precompress: true }),
      compilerOptions: { runes: true },
      // No server rendering, so the built shell is the same for every route.
      prerender: { entries: [] },
      // One script and one stylesheet: a handful of kilobytes more on the first page, but no
      // chain of small requests before the inbox can ask for its data.
      output: { bundleStrategy: 'single' },
      // Defence in depth for a page full of other people's text: only our own scripts run.
      csp: {
        mode: 'hash',
        directives: { 'script-src': ['self'], 'object-src': ['none'], 'base-uri': ['self'] },
      },
    }),
  ],
  server: {
    proxy: { '/api': { target: process.env.TARKA_URL ?? 'http://127.0.0.1:8080', ws: true } },
  },
  build: { reportCompressedSize: false },
});
