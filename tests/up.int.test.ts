import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../src/events/event-store.contract.js';
import { freePort } from './support/process.js';

// The first quick-start command, as a new user runs it: no NATS or Postgres configured.

const root = resolve(import.meta.dirname, '..');

const reachable = (host: string, port: number) =>
  new Promise<boolean>((r) => {
    const s = tcpConnect(port, host, () => {
      s.end();
      r(true);
    });
    s.on('error', () => r(false));
  });

/** GET with a Host header of our choosing (fetch would not send it). */
const get = (port: number, path: string, headers: Record<string, string>) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });

describe('tarka up', () => {
  it('starts on embedded NATS and Postgres, takes the sample alert it prints, investigates it, and stops them on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tarka-up-'));
    const port = await freePort();
    const child = spawn(process.execPath, [join(root, 'dist', 'cli', 'main.js'), 'up'], {
      env: { PATH: process.env.PATH, PORT: String(port), TARKA_DATA_DIR: dir, LOG_LEVEL: 'warn' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    try {
      await waitFor(() => out.includes('curl -sS http'), 90_000).catch(() => {
        throw new Error(`tarka up did not get ready:\n${out}`);
      });
      const url = `http://127.0.0.1:${port}`;
      // The printed command, as a user would paste it.
      const body = /-d '(.*)'\n/.exec(out)?.[1];
      expect(body, out).toBeTruthy();
      const res = await fetch(`${url}/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: body!,
      });
      expect(res.status).toBe(202);
      expect(await res.json()).toMatchObject({ received: 1, new: 1 });

      let cases: { alertname: string; investigationState: string | null }[] = [];
      await waitFor(async () => {
        cases = ((await (await fetch(`${url}/api/cases`)).json()) as { cases: typeof cases }).cases;
        return cases[0]?.investigationState === 'completed';
      }, 30_000);
      expect(cases).toHaveLength(1);
      expect(cases[0]!.alertname).toBe('KubePodCrashLooping');

      // A page on an attacker's name that resolves to 127.0.0.1 (DNS rebinding) gets nothing.
      const rebound = await get(port, '/api/cases', { host: `evil.example:${port}` });
      expect(rebound.status).toBe(421);
      expect(rebound.body).toContain('TARKA_HOST_NOT_ALLOWED');
      expect((await get(port, '/api/cases', { host: `localhost:${port}` })).status).toBe(200);
      // Nor may another site make the browser act on a case.
      const csrf = await fetch(`${url}/api/cases/${encodeURIComponent('x')}/rerun`, {
        method: 'POST',
        headers: { origin: 'http://evil.example' },
      });
      expect(csrf.status).toBe(403);

      // Nothing in front of it authenticates: it listens on loopback only.
      const lan = Object.values(networkInterfaces())
        .flat()
        .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
      if (lan) expect(await reachable(lan, port)).toBe(false);

      const natsPort = Number(/NATS\s+nats:\/\/127\.0\.0\.1:(\d+) \(embedded\)/.exec(out)?.[1]);
      const pgPort = Number(/Postgres\s+127\.0\.0\.1:(\d+) \(embedded\)/.exec(out)?.[1]);
      expect(await reachable('127.0.0.1', natsPort)).toBe(true);
      expect(await reachable('127.0.0.1', pgPort)).toBe(true);

      child.kill('SIGTERM');
      expect(await exited, out).toBe(0);
      expect(await reachable('127.0.0.1', natsPort)).toBe(false);
      expect(await reachable('127.0.0.1', pgPort)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      // As root, the cluster lives outside a private temporary folder (see embedded.ts).
      const moved = /"dataDir":"(\/var\/tmp\/tarka-postgres-[0-9a-f]+)"/.exec(out)?.[1];
      if (moved) rmSync(moved, { recursive: true, force: true });
    }
  }, 180_000);
});
