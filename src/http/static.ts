import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Settings } from '../contract/views.js';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/log.js';
import { withoutUserinfo } from '../shared/secret-url.js';

/** Where `npm run build` puts the console (the same from src/ under tests and from dist/). */
export const consoleBuildDir = resolve(import.meta.dirname, '..', '..', 'console', 'build');

// Hashed bundles never change under their name; everything else must be revalidated, or a
// browser would keep an old index.html pointing at bundles a new release no longer has.
function cacheHeaders(reply: FastifyReply, path: string) {
  if (path.includes('/_app/immutable/')) {
    reply.header('cache-control', 'public, max-age=31536000, immutable');
  } else {
    reply.header('cache-control', 'no-cache');
  }
}

/**
 * CSP hashes of the inline scripts in the built shell (SvelteKit's bootstrap, which changes with
 * every build), so the Content-Security-Policy header can allow exactly those and nothing else.
 */
export function inlineScriptHashes(dir: string = consoleBuildDir): string[] {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return [];
  const html = readFileSync(index, 'utf8');
  const inline = /<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/gi;
  return [...html.matchAll(inline)].map(
    (m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`,
  );
}

/** The console (a static single-page app) at /, and the settings it reads at start. */
export function consoleRoutes(
  app: FastifyInstance,
  deps: { config: Config; log: Logger },
  dir: string = consoleBuildDir,
) {
  // Every browser sees this URL: never with user:pass@ in it.
  app.get('/api/settings', async (): Promise<Settings> => ({
    prometheusPublicUrl: deps.config.PROMETHEUS_PUBLIC_URL
      ? withoutUserinfo(deps.config.PROMETHEUS_PUBLIC_URL)
      : null,
  }));

  if (!existsSync(join(dir, 'index.html'))) {
    deps.log.warn({ dir }, 'console not built; serving the API only (run `npm run build`)');
    app.get('/', (_req, reply) =>
      reply
        .type('text/plain; charset=utf-8')
        .send('The Tarka console is not built: run `npm run build`. The API is at /api/cases.\n'),
    );
    return;
  }

  app.register(fastifyStatic, {
    root: dir,
    // One route per built file, so every other GET is ours to answer (the SPA fallback below).
    wildcard: false,
    preCompressed: true,
    cacheControl: false,
    setHeaders: cacheHeaders,
  });

  // Client-side routes (/cases/…, /dashboard) load the app shell. API paths, the webhook, missing
  // bundles and anything that looks like a file stay a plain 404.
  const notConsole = /^\/(api|_app|alerts)(\/|$)|\.[A-Za-z0-9]+$/;
  app.get('/*', (req, reply) => {
    const path = req.url.split('?')[0]!;
    if (notConsole.test(path)) return reply.callNotFound();
    return reply.sendFile('index.html');
  });
}
