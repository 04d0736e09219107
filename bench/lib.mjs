// Shared helpers for the benchmark scripts: a private tarka process on fresh streams and database.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function freshEnv(extra = {}) {
  const id = `bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  return {
    PATH: process.env.PATH,
    // Tarka runs with these V8 settings from ./tarka and in k8s/ (README: Operations).
    NODE_OPTIONS: process.env.NODE_OPTIONS ?? nodeOptions('serve'),
    NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    POSTGRES_HOST: process.env.POSTGRES_HOST ?? '127.0.0.1',
    POSTGRES_PORT: process.env.POSTGRES_PORT ?? '5432',
    POSTGRES_USER: process.env.POSTGRES_USER ?? 'postgres',
    ...(process.env.POSTGRES_PASSWORD ? { POSTGRES_PASSWORD: process.env.POSTGRES_PASSWORD } : {}),
    POSTGRES_DB: id,
    EVENTS_STREAM: `${id}_EV`.toUpperCase(),
    EVENTS_SUBJECT_PREFIX: `${id}.events`,
    JETSTREAM_STREAM: `${id}_JOBS`.toUpperCase(),
    JETSTREAM_SUBJECT: `${id}.alerts`,
    LOG_LEVEL: 'warn',
    // Benches talk over loopback; serve refuses to listen on every address without authentication.
    HOST: '127.0.0.1',
    ...extra,
  };
}

/** V8 settings per command, as ./tarka and the k8s manifests set them. */
export function nodeOptions(command) {
  return command === 'replay'
    ? '--max-semi-space-size=32 --max-old-space-size=768'
    : '--max-semi-space-size=4 --max-old-space-size=192';
}

export const freePort = async () => (await import(join(root, 'dist-testkit/processes.js'))).freePort();

export async function startTarka(command, env) {
  const child = spawn(process.execPath, [join(root, 'dist/cli/main.js'), command], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${env.PORT}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) return { child, url };
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`tarka ${command} did not start`);
}

/** Resident and peak resident memory of a process, from /proc. */
export function rssOf(pid) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

export function fixtures() {
  const candidates = [
    join(root, '..', 'shared', 'fixtures', 'alertmanager'),
    join(root, 'tests', 'fixtures', 'alertmanager'),
  ];
  for (const dir of candidates) {
    try {
      return readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
    } catch {}
  }
  throw new Error('no Alertmanager fixtures found');
}

export const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
export const fmt = (n) => Math.round(n).toLocaleString('en-US');

/** The event store a bench's Tarka processes use: its config, NATS connection and store. */
export async function openEventStore(env) {
  const { loadConfig } = await import(join(root, 'dist/shared/config.js'));
  const { ensureEventStream, jetStreamManager } = await import(join(root, 'dist/nats/jetstream-setup.js'));
  const { JetStreamEventStore } = await import(join(root, 'dist/nats/jetstream-event-store.js'));
  const { connect } = await import('nats');
  const config = loadConfig(env);
  const nc = await connect({ servers: config.NATS_URL });
  const jsm = await jetStreamManager(nc);
  const stream = { name: config.EVENTS_STREAM, subjectPrefix: config.EVENTS_SUBJECT_PREFIX };
  await ensureEventStream(jsm, { ...stream, replicas: 1, duplicateWindowSeconds: 120 });
  return {
    config,
    nc,
    store: new JetStreamEventStore(nc, jsm, { stream: stream.name, subjectPrefix: stream.subjectPrefix }),
  };
}

/** Removes what a bench made on the shared servers: its streams (with the DLQ) and its database. */
export async function dropBenchResources(env) {
  const { connect } = await import('nats');
  const pg = (await import('pg')).default;
  const nc = await connect({ servers: env.NATS_URL });
  const jsm = await nc.jetstreamManager();
  for (const s of [env.EVENTS_STREAM, env.JETSTREAM_STREAM, `${env.JETSTREAM_STREAM}_DLQ`])
    await jsm.streams.delete(s).catch(() => {});
  await nc.close();
  const admin = new pg.Client({
    host: env.POSTGRES_HOST,
    port: Number(env.POSTGRES_PORT),
    user: env.POSTGRES_USER,
    password: env.POSTGRES_PASSWORD,
    database: 'postgres',
  });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(env.POSTGRES_DB)} WITH (FORCE)`);
  await admin.end();
}
