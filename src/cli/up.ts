import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/log.js';
import { shownUrl } from '../shared/secret-url.js';
import { createContext, withoutCredentials } from '../runtime/context.js';
import { createObjectStore } from '../reports/create.js';
import { startEmbeddedNats, startEmbeddedPostgres, type Embedded } from '../runtime/embedded.js';
import { assertSecureExposure } from '../http/browser-security.js';
import { startProject, startServe } from '../runtime/processes.js';
import { startWorker } from '../runtime/worker-process.js';
import { untilSignal } from './signals.js';

const sampleAlert = (now: Date) => ({
  version: '4',
  status: 'firing',
  receiver: 'tarka',
  groupKey: '{}:{alertname="KubePodCrashLooping"}',
  truncatedAlerts: 0,
  alerts: [
    {
      status: 'firing',
      labels: {
        alertname: 'KubePodCrashLooping',
        namespace: 'demo',
        pod: 'api-6c9f7d-x2k4q',
        container: 'api',
        severity: 'warning',
        cluster: 'laptop',
      },
      annotations: { summary: 'Pod is crash looping.' },
      startsAt: now.toISOString(),
      endsAt: '0001-01-01T00:00:00Z',
    },
  ],
});

/** `tarka up`: the whole system in one process, with embedded dependencies where none are configured. */
export async function runUp(config: Config, log: Logger): Promise<void> {
  const dataDir = resolve(config.TARKA_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const embedded: Embedded[] = [];
  // A laptop start has no authentication in front of it: listen on loopback unless told otherwise.
  let cfg = process.env.HOST === undefined ? { ...config, HOST: '127.0.0.1' } : config;
  // Told to listen beyond loopback, `up` needs authentication like `serve` (or TARKA_ALLOW_INSECURE).
  assertSecureExposure(cfg);
  try {
    if (!cfg.NATS_URL) {
      const nats = await startEmbeddedNats(dataDir, log);
      embedded.push(nats);
      cfg = { ...cfg, NATS_URL: nats.url };
    }
    if (!cfg.POSTGRES_HOST) {
      const pg = await startEmbeddedPostgres(dataDir, log);
      embedded.push(pg);
      cfg = {
        ...cfg,
        POSTGRES_HOST: pg.host,
        POSTGRES_PORT: pg.port,
        POSTGRES_USER: pg.user,
        POSTGRES_PASSWORD: pg.password,
      };
    }
    const ctx = await createContext(cfg, log, 'up');
    const project = await startProject(ctx, { http: false });
    const worker = await startWorker(ctx);
    const serve = await startServe(ctx);
    const body = JSON.stringify(sampleAlert(new Date()));
    console.log(
      [
        '',
        `Tarka is up (data in ${dataDir}).`,
        `  API and console  ${serve.url}/`,
        `  webhook          ${serve.url}/alerts   (point an Alertmanager webhook_config here)`,
        `  NATS             ${withoutCredentials(cfg.NATS_URL!)}${config.NATS_URL ? '' : ' (embedded)'}`,
        `  Postgres         ${cfg.POSTGRES_HOST}:${cfg.POSTGRES_PORT}${config.POSTGRES_HOST ? '' : ' (embedded)'}`,
        `  reports          ${createObjectStore(cfg).describe()}`,
        `  Prometheus       ${cfg.PROMETHEUS_URL ? shownUrl(cfg.PROMETHEUS_URL) : 'not configured (set PROMETHEUS_URL; investigations will say so)'}`,
        '',
        'Post a sample alert, then list the cases:',
        `  curl -sS -X POST ${serve.url}/alerts -H 'Content-Type: application/json' -d '${body}'`,
        `  curl -sS ${serve.url}/api/cases`,
        '',
        'Stop with Ctrl-C.',
        '',
      ].join('\n'),
    );
    await untilSignal(log, [project, worker, serve], ctx);
  } finally {
    for (const e of embedded.reverse()) await e.stop().catch(() => undefined);
  }
}
