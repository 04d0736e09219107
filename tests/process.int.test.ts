import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeKubernetes } from '../src/testkit/fake-kubernetes.js';
import { waitFor } from '../src/events/event-store.contract.js';
import { connect } from 'nats';
import { JetStreamEventStore } from '../src/nats/jetstream-event-store.js';
import { labelsFingerprint } from '../src/ingest/alertmanager-payload.js';
import { dropTestResources, testConfig } from './support/context.js';
import { spawn } from 'node:child_process';
import { envOf, freePort, privateNats, startTarka, type NatsProcess } from './support/process.js';
import { alertmanagerFixtures } from './fixtures.js';
import { NATS_URL } from './support/env.js';

// These run the built CLI (dist/) as real processes: `npm test` builds first. Processes listen on
// loopback, where `serve` needs no authentication (see 'secure by default' below).

const base = alertmanagerFixtures()[0]!.body;
/** A group of 10 alerts whose fingerprints are derived from a distinct pod label each. */
function group(n: number) {
  const alerts = Array.from({ length: 10 }, (_, i) => {
    const { fingerprint: _fp, ...a } = base.alerts[0]!;
    return { ...a, labels: { ...(a.labels as object), pod: `kill-${n}-${i}` } };
  });
  return { ...base, alerts };
}
const post = (url: string, body: unknown) =>
  fetch(`${url}/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('tarka serve as a process', () => {
  const config = testConfig({ HOST: '127.0.0.1' });
  afterAll(() => dropTestResources(config));

  it('loses nothing it acknowledged when killed with SIGKILL mid-traffic', async () => {
    const env = envOf(config, { PORT: String(await freePort()) });
    const serve = await startTarka('serve', env);
    const acked: number[] = [];
    let n = 0;
    let failures = 0;
    // Four concurrent senders; the kill lands while requests are in flight.
    const sender = async () => {
      for (;;) {
        const i = n++;
        try {
          const res = await post(serve.url, group(i));
          if (res.status === 202) acked.push(i);
        } catch {
          failures++;
          return;
        }
      }
    };
    const senders = Promise.all([sender(), sender(), sender(), sender()]);
    while (acked.length < 40) await new Promise((r) => setTimeout(r, 5));
    expect(await serve.kill('SIGKILL')).toBe(null);
    await senders;
    expect(failures).toBeGreaterThan(0);

    const nc = await connect({ servers: NATS_URL });
    const store = new JetStreamEventStore(nc, await nc.jetstreamManager(), {
      stream: config.EVENTS_STREAM,
      subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
    });
    for (const i of acked) {
      for (const a of group(i).alerts) {
        const { events } = await store.readAggregate(
          `case.${labelsFingerprint(a.labels as Record<string, string>)}`,
        );
        expect(
          events.map((e) => e.type),
          `group ${i}`,
        ).toEqual(['AlertFired', 'InvestigationRequested']);
      }
    }
    await nc.close();

    // After a restart, resending everything (as Alertmanager would) appends nothing for acked groups.
    const again = await startTarka('serve', env);
    for (const i of acked.slice(0, 10))
      expect(await (await post(again.url, group(i))).json()).toMatchObject({ new: 0, unchanged: 10 });
    await again.kill();
  });
});

describe('NATS outage', () => {
  let nats: NatsProcess;
  const config = testConfig({ HOST: '127.0.0.1' });
  beforeAll(async () => {
    nats = await privateNats();
  });
  afterAll(async () => {
    await nats.stop();
  });

  it('answers 503 with Retry-After while NATS is down; webhook and projectors recover by themselves when it returns', async () => {
    const env = envOf(config, { PORT: String(await freePort()), NATS_URL: nats.url });
    const serve = await startTarka('serve', env);
    const project = await startTarka('project', { ...env, PORT: String(await freePort()) });
    try {
      expect((await post(serve.url, group(1000))).status).toBe(202);
      await nats.stop();
      const down = await post(serve.url, group(1001));
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBeTruthy();
      expect(((await down.json()) as { code: string }).code).toBe('TARKA_ES_UNAVAILABLE');
      const ready = await fetch(`${serve.url}/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { nats: string }).nats).toMatch(/^down/);

      await nats.start();
      const deadline = Date.now() + 20_000;
      let status = 0;
      while (Date.now() < deadline) {
        status = (await post(serve.url, group(1001))).status;
        if (status === 202) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe(202);
      expect((await fetch(`${serve.url}/ready`)).status).toBe(200);
      // The projectors resume too: alerts accepted after the outage become cases.
      await waitFor(async () => {
        const res = await fetch(`${serve.url}/api/cases?limit=100`);
        const { cases } = (await res.json()) as { cases: { labels: Record<string, string> }[] };
        return cases.filter((c) => c.labels.pod?.startsWith('kill-1001-')).length === 10;
      }, 20_000);
    } finally {
      await serve.kill();
      await project.kill();
      await dropTestResources(config); // its streams lived on the private server, gone with it
    }
  });
});

describe('tarka worker as a process', () => {
  const config = testConfig({ HOST: '127.0.0.1' });
  afterAll(() => dropTestResources(config));

  it('ends in exactly one completed investigation when a worker is killed mid-investigation', async () => {
    // The Kubernetes API answers slowly, so the first worker is surely mid-investigation when killed.
    const kube = await startFakeKubernetes();
    kube.delay(3000);
    const dir = mkdtempSync(join(tmpdir(), 'tarka-kube-'));
    const kubeconfig = join(dir, 'config');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters: [{name: fake, cluster: {server: "${kube.url}"}}]\nusers: [{name: t, user: {token: "${kube.token}"}}]\ncontexts: [{name: fake, context: {cluster: fake, user: t}}]\ncurrent-context: fake\n`,
    );
    const env = (port: number) =>
      envOf(config, {
        PORT: String(port),
        KUBECONFIG: kubeconfig,
        JETSTREAM_ACK_WAIT_SECONDS: '2',
        COLLECTOR_TIMEOUT_SECONDS: '10',
      });
    const serve = await startTarka('serve', env(await freePort()));
    const project = await startTarka('project', env(await freePort()));
    const first = await startTarka('worker', env(await freePort()));
    try {
      const g = group(2000);
      g.alerts = g.alerts.slice(0, 1);
      expect((await post(serve.url, g)).status).toBe(202);
      const caseId = labelsFingerprint(g.alerts[0]!.labels as Record<string, string>);
      const nc = await connect({ servers: NATS_URL });
      const store = new JetStreamEventStore(nc, await nc.jetstreamManager(), {
        stream: config.EVENTS_STREAM,
        subjectPrefix: config.EVENTS_SUBJECT_PREFIX,
      });
      const types = async () => (await store.readAggregate(`case.${caseId}`)).events.map((e) => e.type);
      await waitFor(async () => (await types()).includes('InvestigationStarted'), 20_000);
      expect(await first.kill('SIGKILL')).toBe(null);
      expect(await types()).not.toContain('InvestigationCompleted');

      kube.delay(0);
      const second = await startTarka('worker', env(await freePort()));
      await waitFor(async () => (await types()).includes('InvestigationCompleted'), 30_000);
      const seen = await types();
      expect(seen.filter((t) => t === 'InvestigationCompleted')).toHaveLength(1);
      expect(seen.filter((t) => t === 'InvestigationStarted').length).toBeGreaterThanOrEqual(2);
      // SIGTERM: the worker drains and exits 0.
      expect(await second.kill('SIGTERM')).toBe(0);
      await nc.close();
    } finally {
      await first.kill('SIGKILL');
      await project.kill();
      await serve.kill();
      await kube.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Runs `tarka <args>` to its end (for start-ups that must refuse): exit code and output. */
function runTarka(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string }> {
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, '..', 'dist', 'cli', 'main.js'), ...args],
    {
      env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((r) => child.once('exit', (code) => r({ code, out })));
}

describe('secure by default', () => {
  it('refuses to serve beyond loopback without webhook credentials or console auth, naming what to set', async () => {
    // Nothing to connect to: the refusal comes before any connection.
    const open = await runTarka(['serve'], { HOST: '0.0.0.0', PORT: String(await freePort()) });
    expect(open.code, open.out).toBe(2);
    expect(open.out).toContain('TARKA_CONFIG_INVALID');
    for (const name of [
      'WEBHOOK_BEARER_TOKEN',
      'AUTH_MODE=proxy',
      'AUTH_PROXY_SECRET',
      'TARKA_ALLOW_INSECURE=true',
    ])
      expect(open.out).toContain(name);
    // A webhook-only pod needs only the webhook's credentials, and says so.
    const webhook = await runTarka(['serve', '--routes', 'webhook'], { HOST: '0.0.0.0' });
    expect(webhook.code, webhook.out).toBe(2);
    expect(webhook.out).toContain('WEBHOOK_BEARER_TOKEN');
    expect(webhook.out).not.toContain('AUTH_MODE=proxy');
    // `tarka up` told to listen on every address refuses too, before starting anything.
    const dir = mkdtempSync(join(tmpdir(), 'tarka-up-open-'));
    try {
      const up = await runTarka(['up'], { HOST: '0.0.0.0', TARKA_DATA_DIR: dir });
      expect(up.code, up.out).toBe(2);
      expect(up.out).toContain('TARKA_ALLOW_INSECURE=true');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses placeholder secrets and proxy mode without its secret, never printing the value', async () => {
    const placeholder = await runTarka(['serve'], {
      HOST: '127.0.0.1',
      WEBHOOK_BEARER_TOKEN: 'CHANGE-ME-openssl-rand-hex-32',
      POSTGRES_PASSWORD: 'changeme',
    });
    expect(placeholder.code, placeholder.out).toBe(2);
    expect(placeholder.out).toMatch(/WEBHOOK_BEARER_TOKEN=\(hidden\): a placeholder/);
    expect(placeholder.out).toMatch(/POSTGRES_PASSWORD=\(hidden\): a placeholder/);
    expect(placeholder.out).not.toContain('CHANGE-ME-openssl');
    const proxy = await runTarka(['serve'], { HOST: '127.0.0.1', AUTH_MODE: 'proxy' });
    expect(proxy.code, proxy.out).toBe(2);
    expect(proxy.out).toContain('AUTH_PROXY_SECRET');
  });

  it('serves only /alerts and probes with --routes webhook on 0.0.0.0 once the webhook has credentials', async () => {
    const config = testConfig();
    const token = 'webhook-token-0123456789abcdef';
    const env = envOf(config, {
      PORT: String(await freePort()),
      HOST: '0.0.0.0',
      WEBHOOK_BEARER_TOKEN: token,
    });
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, '..', 'dist', 'cli', 'main.js'), 'serve', '--routes', 'webhook'],
      {
        env,
        stdio: 'ignore',
      },
    );
    const url = `http://127.0.0.1:${env.PORT}`;
    try {
      await waitFor(async () => (await fetch(`${url}/health`).catch(() => null))?.ok === true, 20_000);
      expect((await fetch(`${url}/api/cases`)).status).toBe(404);
      expect((await fetch(`${url}/`)).status).toBe(404);
      expect((await post(url, group(3000))).status).toBe(401);
      const res = await fetch(`${url}/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(group(3000)),
      });
      expect(res.status).toBe(202);
    } finally {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      await dropTestResources(config);
    }
  });
});
