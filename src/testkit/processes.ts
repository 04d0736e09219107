import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Test plumbing for real server binaries (Prometheus, Alertmanager): free ports, temp dirs,
// readiness polling, and cleanup that also runs if a test run dies half-way.

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort: never leave a server behind when the test process exits without afterAll.
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

export interface ServerProcess {
  url: string;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Spawns `command`, then polls `${url}${readyPath}` until it answers 200. On failure the
 * process is stopped and its output is part of the error.
 */
export async function startServer(
  command: string,
  args: string[],
  url: string,
  options: {
    readyPath: string;
    cwd?: string;
    timeoutMs?: number;
    cleanupDir?: string;
    /** Readiness check for servers behind TLS or auth; default a plain GET of url + readyPath. */
    probe?: (url: string) => Promise<boolean>;
  },
): Promise<ServerProcess> {
  installExitHook();
  const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 100_000) out = out.slice(-50_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    }
    running.delete(child);
    if (options.cleanupDir) await rm(options.cleanupDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let failed: string | undefined;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      failed = `${command} exited early`;
      break;
    }
    const err = await Promise.race([
      spawnError,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 0)),
    ]);
    if (err) {
      failed = `${command} could not start: ${err.message}`;
      break;
    }
    try {
      if (options.probe) {
        if (await options.probe(`${url}${options.readyPath}`)) break;
      } else {
        const res = await fetch(`${url}${options.readyPath}`, { signal: AbortSignal.timeout(1_000) });
        await res.arrayBuffer();
        if (res.ok) break;
      }
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      failed = `${command} did not become ready at ${url}${options.readyPath}`;
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (failed) {
    await stop();
    throw new Error(`${failed}:\n${out}`);
  }
  return { url, pid: child.pid!, output: () => out, stop };
}
