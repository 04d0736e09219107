import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/shared/config.js';
import { createLogger } from '../../src/shared/log.js';
import { createContext, type Context } from '../../src/runtime/context.js';
import { NATS_URL, PG, uniqueName } from './env.js';

/** Config naming fresh streams, subjects and a fresh database, so tests never share state. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  const id = uniqueName('t').toLowerCase();
  return loadConfig({
    // Tests reach every app and process over loopback, where `serve` needs no authentication.
    HOST: '127.0.0.1',
    NATS_URL,
    EVENTS_STREAM: `${id}_EV`.toUpperCase(),
    EVENTS_SUBJECT_PREFIX: `${id}.events`,
    JETSTREAM_STREAM: `${id}_JOBS`.toUpperCase(),
    JETSTREAM_SUBJECT: `${id}.alerts`,
    JETSTREAM_DURABLE: `${id}_W`.toUpperCase(),
    POSTGRES_HOST: PG.host,
    POSTGRES_PORT: String(PG.port),
    POSTGRES_USER: PG.user,
    ...(PG.password ? { POSTGRES_PASSWORD: PG.password } : {}),
    POSTGRES_DB: id,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // Reports and other local data go to a folder of the test's own, never the checkout's .tarka.
    TARKA_DATA_DIR: mkdtempSync(join(tmpdir(), 'tarka-test-')),
    // Alert-storm grouping covers all but one investigation per incident and alert name; tests of
    // other behaviour post alerts of one workload and expect each investigated. Storm tests set it.
    INCIDENT_WINDOW_MINUTES: '0',
    ...overrides,
  } as NodeJS.ProcessEnv);
}

/** Removes what a test config created: its streams and its database. */
export async function dropTestResources(config: Config): Promise<void> {
  const nc = await connect({ servers: NATS_URL });
  const jsm = await nc.jetstreamManager();
  for (const s of [
    config.EVENTS_STREAM,
    config.JETSTREAM_STREAM,
    `${config.JETSTREAM_STREAM}_DLQ`,
    `${config.JETSTREAM_STREAM}_MAX_DELIVERIES`,
  ]) {
    await jsm.streams.delete(s).catch(() => undefined);
  }
  await nc.close();
  const admin = new pg.Client({ ...PG, database: 'postgres' });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(config.POSTGRES_DB)} WITH (FORCE)`);
  await admin.end();
}

export async function testContext(
  overrides: Record<string, string> = {},
): Promise<Context & { dispose(): Promise<void> }> {
  const config = testConfig(overrides);
  const ctx = await createContext(config, createLogger(config.LOG_LEVEL), 'test');
  return {
    ...ctx,
    dispose: async () => {
      await ctx.close();
      await dropTestResources(config);
    },
  };
}
