import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { ProjectorRunner } from '../../src/projections/engine/runner.js';
import { chatAnswererOf } from '../../src/runtime/worker-process.js';
import type { Context } from '../../src/runtime/context.js';
import type { Config } from '../../src/shared/config.js';
import { startProjectors } from '../../src/runtime/projectors.js';
import { testContext } from '../support/context.js';

const root = resolve(import.meta.dirname, '..', '..');
const consoleDir = join(root, 'console');

function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}

/** Builds the console when it is missing or older than its sources (`npm test` has built it). */
export function ensureConsoleBuilt() {
  const index = join(consoleDir, 'build', 'index.html');
  const sources = Math.max(
    newest(join(consoleDir, 'src')),
    statSync(join(consoleDir, 'vite.config.ts')).mtimeMs,
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  const res = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: consoleDir,
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(`console build failed:\n${res.stdout}\n${res.stderr}`);
}

export type ConsoleApp = Awaited<ReturnType<typeof startConsoleApp>>;

/** A real Tarka (fresh streams and database) serving API, websocket and console on a free port. */
export async function startConsoleApp(overrides: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tarka-console-'));
  const ctx = await testContext({
    TARKA_DATA_DIR: dataDir,
    PROMETHEUS_PUBLIC_URL: 'http://prometheus.example:9090',
    ...overrides,
  });
  const runners: ProjectorRunner[] = startProjectors(ctx);
  const app: FastifyInstance = buildApp(ctx);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  return {
    ctx,
    app,
    url,
    /**
     * Resolves once every projector has applied everything appended so far (the live feed moves
     * with the slowest of its read models, so waiting for one is not enough).
     */
    caught: async () => {
      const head = await ctx.store.headSeq();
      await Promise.all(runners.map((r) => r.waitFor(head)));
    },
    postAlerts: async (body: unknown) => {
      const res = await fetch(`${url}/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== 202) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
      return res.json();
    },
    close: async () => {
      await app.close();
      await Promise.all(runners.map((r) => r.stop()));
      await ctx.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The chat answerer as the worker runs it (the LLM too, when `config` turns it on), on a runner of
 * its own: in production it is part of `tarka worker`, which these tests do not start.
 */
export function startChatAnswerer(ctx: Context, config: Partial<Config> = {}): ProjectorRunner {
  const c = { ...ctx, config: { ...ctx.config, ...config } };
  return new ProjectorRunner({ pool: c.pool, store: c.store, log: c.log }, chatAnswererOf(c)).start();
}

export { launchChromium } from '../../src/testkit/chromium.js';

export const outputDir = join(root, 'test-output');

/** GET a JSON answer, typed by the caller. */
export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  return (await res.json()) as T;
}

type RequestedEvent = { type: string; data: { investigationId: string } };

/** The investigation the webhook requested for a case (read from the event log, never stale). */
export async function requestedInvestigation(url: string, caseId: string): Promise<string> {
  const d = await getJson<{ events: RequestedEvent[] }>(`${url}/api/cases/${caseId}`);
  return d.events.find((e) => e.type === 'InvestigationRequested')!.data.investigationId;
}
