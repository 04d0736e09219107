import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { envOf, freePort, startTarka, type TarkaProcess } from '../../support/process.js';
import type { Config } from '../../../src/shared/config.js';

type Supervised = TarkaProcess & { command: string };

/**
 * Tarka processes run as Kubernetes would run them: a process that exits on its own is noted as a
 * crash (with the end of its output) and started again, so one defect does not hide the others;
 * the scenario then asserts that nothing crashed.
 */
export class Supervisor {
  readonly crashes: string[] = [];
  /**
   * Start attempts that failed (the process exited with its error, e.g. while a NATS node was
   * still electing leaders). A pod would be restarted: noted, not counted as a crash.
   */
  readonly startFailures: string[] = [];
  private readonly procs = new Map<string, Supervised>();

  constructor(
    private readonly config: Config,
    private readonly extra: Record<string, string> = {},
    /** Where the full output of a crashed process is kept (`crash-<n>-<name>.log`). */
    private readonly logDir?: string,
  ) {}

  async start(name: string, command = name): Promise<TarkaProcess> {
    for (let attempt = 1; ; attempt++) {
      try {
        const env = envOf(this.config, { PORT: String(await freePort()), ...this.extra });
        const p = await startTarka(command, env);
        this.procs.set(name, Object.assign(p, { command }));
        return p;
      } catch (e) {
        const first = (e as Error).message.split('\n').slice(0, 2).join(' ');
        this.startFailures.push(`${name}: ${first.slice(0, 300)}`);
        if (attempt >= 5) throw e;
        await new Promise((r) => setTimeout(r, 1000 * attempt));
      }
    }
  }

  get(name: string): Supervised {
    const p = this.procs.get(name);
    if (!p) throw new Error(`no process ${name}`);
    return p;
  }

  /** Notes and restarts every process that exited without being told to. */
  async check(when: string): Promise<void> {
    for (const [name, p] of this.procs) {
      if (p.child.exitCode === null && p.child.signalCode === null) continue;
      const tail = p
        .output()
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('{') && !/^\s+at /.test(l))
        .slice(-3)
        .join(' / ');
      if (this.logDir)
        writeFileSync(
          join(this.logDir, `crash-${this.crashes.length + 1}-${name}.log`),
          p.output().slice(-20_000),
        );
      this.crashes.push(
        `${name} exited ${p.child.exitCode ?? p.child.signalCode} ${when}: ${tail.slice(0, 300)}`,
      );
      await this.start(name, p.command);
    }
  }

  /** SIGKILLs a process (a fault we inject) and starts a fresh one in its place. */
  async killAndRestart(name: string): Promise<void> {
    await this.check(`(noticed before the ${name} SIGKILL)`);
    const p = this.get(name);
    await p.kill('SIGKILL');
    await this.start(name, p.command);
  }

  async stopAll(): Promise<void> {
    for (const p of this.procs.values()) await p.kill('SIGKILL');
  }
}

/** Runs a one-shot CLI command (e.g. `tarka replay`) from dist/ to its end, or kills it at the deadline. */
export async function runTarkaOnce(
  command: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ code: number | null; output: string; ms: number; timedOut: boolean }> {
  const { spawn } = await import('node:child_process');
  const { resolve } = await import('node:path');
  const main = resolve(import.meta.dirname, '..', '..', '..', 'dist', 'cli', 'main.js');
  const t0 = Date.now();
  const child = spawn(process.execPath, [main, command], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  clearTimeout(timer);
  return { code, output, ms: Date.now() - t0, timedOut };
}
