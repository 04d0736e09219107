import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { freePort } from '../../src/testkit/processes.js';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Config } from '../../src/shared/config.js';

const root = resolve(import.meta.dirname, '..', '..');

export { freePort };

/** The env a child tarka process needs to use a test config. */
export function envOf(config: Config, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) env[k] = v.join(',');
    // Maps parsed from `a=b,c=d` (AUTH_ROLE_MAP) go back to that form.
    else if (typeof v === 'object')
      env[k] = Object.entries(v as Record<string, string>)
        .map(([a, b]) => `${a}=${b}`)
        .join(',');
    else env[k] = String(v);
  }
  return { PATH: process.env.PATH, ...env, LOG_LEVEL: 'warn', ...extra };
}

export interface TarkaProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts the built CLI (dist/) as a real process and waits until /health answers. */
export async function startTarka(command: string, env: NodeJS.ProcessEnv): Promise<TarkaProcess> {
  const port = Number(env.PORT);
  const child = spawn(process.execPath, [join(root, 'dist', 'cli', 'main.js'), command], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`tarka ${command} exited early:\n${out}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`tarka ${command} did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    output: () => out,
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface NatsProcess {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A private nats-server with JetStream, which a test may stop and start again on the same port and data. */
export async function privateNats(): Promise<NatsProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tarka-nats-'));
  let child: ChildProcess | undefined;
  const url = `nats://127.0.0.1:${port}`;
  const start = async () => {
    child = spawn('nats-server', ['-js', '-sd', dir, '-a', '127.0.0.1', '-p', String(port)], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 100; i++) {
      const ok = await new Promise<boolean>((r) => {
        const s = tcpConnect(port, '127.0.0.1', () => {
          s.end();
          r(true);
        });
        s.on('error', () => r(false));
      });
      if (ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('nats-server did not start');
  };
  await start();
  return {
    url,
    start,
    stop: async () => {
      const c = child!;
      if (c.exitCode !== null) return;
      const done = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await done;
    },
  };
}
