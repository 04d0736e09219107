import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/http/app.js';
import { startProjectors } from '../src/runtime/projectors.js';
import { startWorker } from '../src/runtime/worker-process.js';
import { createContext, type Context } from '../src/runtime/context.js';
import { connectEventLog } from '../src/runtime/connections.js';
import { createToolkit } from '../src/investigation/toolkit.js';
import type { ProjectorRunner } from '../src/projections/engine/runner.js';
import { waitFor } from '../src/events/event-store.contract.js';
import { readInThread } from '../src/nats/read-in-thread.js';
import { natsSettings } from '../src/nats/nats-options.js';
import { startPrometheus, type PrometheusFixture } from '../src/testkit/prometheus.js';
import { freePort, startServer, tempDir, type ServerProcess } from '../src/testkit/processes.js';
import { makeCertificates, type TestCertificates } from '../src/testkit/secured.js';
import { loadConfig, type Config } from '../src/shared/config.js';
import { createLogger } from '../src/shared/log.js';
import { dropTestResources, testConfig } from './support/context.js';
import { runnerOf } from './support/runners.js';
import { alertmanagerFixtures } from './fixtures.js';

// Credentials given to Tarka (userinfo in a URL, passwords, tokens, API keys in a query) are
// used to authenticate against real servers, and never appear in what people and logs see:
// step events, the case API, report JSON and Markdown, /ready, and the log.

/** Every secret in this file contains this marker, so one search finds any of them. */
const MARK = 'S3cret';
const PROM_PASSWORD = `prom-${MARK}-pw`;
const AM_PASSWORD = `am-${MARK}-pw`;
const LOGS_PASSWORD = `logs-${MARK}-pw`;
const LOGS_API_KEY = `logs-${MARK}-key`;

/** A logger writing into a string, as a log collector would read it. */
function capturedLogger(level = 'debug') {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { log: createLogger(level, 'tarka-test', sink), text: () => text };
}

const window = () => ({ start: new Date(Date.now() - 3600_000), end: new Date() });

describe('data-source credentials against a real Prometheus behind TLS and basic auth', () => {
  let dir: string;
  let certs: TestCertificates;
  let prometheus: PrometheusFixture;
  let port: number;

  beforeAll(async () => {
    dir = await tempDir('tarka-creds-');
    certs = await makeCertificates(dir);
    prometheus = await startPrometheus({ tls: certs, users: { tarka: PROM_PASSWORD } });
    port = Number(new URL(prometheus.url).port);
  }, 60_000);
  afterAll(async () => {
    await prometheus?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  describe('an investigation with user:pass@ in every URL', () => {
    let ctx: Context;
    let config: Config;
    let app: FastifyInstance;
    let runners: ProjectorRunner[];
    let stopWorker: () => Promise<void>;
    const logs = capturedLogger();

    beforeAll(async () => {
      const closed = await freePort();
      config = testConfig({
        LOG_LEVEL: 'debug',
        PROMETHEUS_URL: `https://tarka:${PROM_PASSWORD}@127.0.0.1:${port}`,
        PROMETHEUS_TLS_CA_FILE: certs.caFile,
        // Handed to every browser for query links.
        PROMETHEUS_PUBLIC_URL: `https://viewer:pub-${MARK}@prometheus.example`,
        // Nothing listens here: the errors these produce name the URL.
        ALERTMANAGER_URL: `http://admin:${AM_PASSWORD}@127.0.0.1:${closed}/am`,
        ALERTMANAGER_TLS_INSECURE_SKIP_VERIFY: 'true',
        LOGS_URL: `http://loki:${LOGS_PASSWORD}@127.0.0.1:${closed}/?api_key=${LOGS_API_KEY}`,
        LOGS_BACKEND: 'loki',
        COLLECTOR_TIMEOUT_SECONDS: '3',
      });
      ctx = await createContext(config, logs.log, 'test');
      app = buildApp(ctx);
      runners = startProjectors(ctx);
      stopWorker = (await startWorker(ctx, createToolkit(ctx.config, { kube: null }))).stop;
    }, 60_000);
    afterAll(async () => {
      await stopWorker?.();
      await Promise.all((runners ?? []).map((r) => r.stop()));
      await app?.close();
      await ctx?.close();
      if (config) await dropTestResources(config);
    });

    it('collects evidence with the credentials and shows them nowhere', async () => {
      const f = alertmanagerFixtures()[0]!.body;
      const { fingerprint: _fp, ...a } = f.alerts[0]!;
      const labels = {
        ...(a.labels as object),
        alertname: 'KubePodCrashLooping',
        namespace: 'shop',
        pod: 'api-1',
        container: 'api',
      };
      // Firing now, so the window covers the synthetic history.
      const startsAt = new Date(Date.now() - 10 * 60_000).toISOString();
      const body = { ...f, alerts: [{ ...a, labels, startsAt }] };
      expect((await app.inject({ method: 'POST', url: '/alerts', payload: body })).statusCode).toBe(202);
      // The only case of this test's fresh stream.
      let caseId = '';
      await waitFor(async () => {
        const cases = (await app.inject('/api/cases')).json().cases as {
          caseId: string;
          investigationState: string | null;
        }[];
        caseId = cases[0]?.caseId ?? '';
        return cases[0]?.investigationState === 'completed';
      }, 30_000);

      const { events } = await ctx.store.readAggregate(`case.${caseId}`);
      const steps = events
        .filter((e) => e.type === 'InvestigationStepCompleted')
        .map((e) => e.data as { step: string; status: string; summary: string; detail: { source?: string } });
      const from = (source: string) => steps.filter((s) => s.detail.source === source);
      const prom = from('prometheus');
      // Basic auth from the URL and the CA bundle worked: Prometheus answered every query.
      expect(prom.length).toBeGreaterThan(0);
      expect(prom.filter((s) => s.status === 'ok').length).toBeGreaterThan(0);
      expect(prom.every((s) => s.status === 'ok' || s.status === 'empty')).toBe(true);
      // The unreachable sources say where they are, without the credentials.
      const am = from('alertmanager')[0]!;
      expect(am.status).toBe('unavailable');
      expect(am.summary).toContain(`Alertmanager at http://127.0.0.1:`);
      const logStep = from('logs')[0]!;
      expect(logStep.summary).toContain('api_key=hidden');

      await runners[0]!.waitFor(await ctx.store.headSeq());
      await runnerOf(runners, 'reports').waitFor(await ctx.store.headSeq());
      const detail = (await app.inject(`/api/cases/${caseId}`)).body;
      const ready = (await app.inject('/ready')).body;
      const settings = (await app.inject('/api/settings')).json();
      expect(settings.prometheusPublicUrl).toBe('https://prometheus.example');
      const reportsDir = join(config.TARKA_DATA_DIR, 'reports');
      const files = (await readdir(reportsDir, { recursive: true })).filter((f) => /\.(json|md)$/.test(f));
      expect(files.some((f) => f.endsWith('.md'))).toBe(true);
      const reports = await Promise.all(files.map((f) => readFile(join(reportsDir, f), 'utf8')));

      const seen = {
        events: JSON.stringify(events),
        settings: JSON.stringify(settings),
        detail,
        ready,
        reports: reports.join('\n'),
        logs: logs.text(),
      };
      for (const [where, text] of Object.entries(seen)) {
        expect(text.includes(MARK), `a secret appears in ${where}`).toBe(false);
      }
      expect(logs.text()).toContain('ALERTMANAGER_TLS_INSECURE_SKIP_VERIFY=true');
    }, 60_000);
  });

  describe('explicit settings', () => {
    const instant = {
      id: 'prom.restarts',
      title: 'restarts',
      source: 'prometheus' as const,
      kind: 'instant' as const,
      query: 'kube_pod_container_status_restarts_total{namespace="shop"}',
    };
    const collect = async (env: Record<string, string>) => {
      const config = loadConfig({ PROMETHEUS_URL: `https://127.0.0.1:${port}`, ...env });
      return createToolkit(config, { kube: null }).collect(instant, window());
    };

    it('basic user and password from a file, with the CA bundle', async () => {
      const file = join(dir, 'prom-password');
      await writeFile(file, `${PROM_PASSWORD}\n`);
      const item = await collect({
        PROMETHEUS_BASIC_USER: 'tarka',
        PROMETHEUS_BASIC_PASSWORD_FILE: file,
        PROMETHEUS_TLS_CA_FILE: certs.caFile,
      });
      expect(item).toMatchObject({ status: 'ok' });
    });

    it('refuses an unknown certificate unless verification is turned off explicitly', async () => {
      const auth = { PROMETHEUS_BASIC_USER: 'tarka', PROMETHEUS_BASIC_PASSWORD: PROM_PASSWORD };
      const refused = await collect(auth);
      expect(refused.status).toBe('unavailable');
      expect(refused.error).toMatch(/Prometheus at https:\/\/127\.0\.0\.1:\d+ unreachable: .*certificate/);
      const insecure = await collect({ ...auth, PROMETHEUS_TLS_INSECURE_SKIP_VERIFY: 'true' });
      expect(insecure.status).toBe('ok');
    });

    it('a wrong password is an error that does not repeat it', async () => {
      const item = await collect({
        PROMETHEUS_URL: `https://tarka:wrong-${MARK}@127.0.0.1:${port}`,
        PROMETHEUS_TLS_CA_FILE: certs.caFile,
      });
      expect(item.status).toBe('error');
      expect(item.error).toMatch(
        /^Prometheus at https:\/\/127\.0\.0\.1:\d+ refused the request \(401: Unauthorized\); check PROMETHEUS_BEARER_TOKEN, /,
      );
      expect(JSON.stringify(item)).not.toContain(MARK);
    });
  });
});

describe('bearer token, custom headers and an API key in the query', () => {
  let server: Server;
  let seen: { headers: IncomingHttpHeaders; url: string }[] = [];
  let base: string;
  beforeAll(async () => {
    // Speaks Alertmanager's API v2: an empty list of alerts.
    server = createServer((req, res) => {
      seen.push({ headers: req.headers, url: req.url ?? '' });
      res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends them on every request and shows none of them', async () => {
    seen = [];
    const config = loadConfig({
      ALERTMANAGER_URL: `${base}/?api_key=${MARK}-key`,
      ALERTMANAGER_BEARER_TOKEN: `token-${MARK}`,
      ALERTMANAGER_HEADERS: JSON.stringify({ 'X-Scope-OrgID': 'tenant-a' }),
    });
    const item = await createToolkit(config, { kube: null }).collect(
      { id: 'am.alerts', title: 'alerts', source: 'alertmanager', kind: 'alerts', alertname: 'X' },
      window(),
    );
    expect(item.status).toBe('empty');
    expect(seen[0]!.headers.authorization).toBe(`Bearer token-${MARK}`);
    expect(seen[0]!.headers['x-scope-orgid']).toBe('tenant-a');
    expect(seen[0]!.url).toMatch(new RegExp(`^/api/v2/alerts\\?api_key=${MARK}-key&filter=`));
    expect(JSON.stringify(item)).not.toContain(MARK);
  });

  it('config errors hide secret values and URL credentials', () => {
    let message = '';
    try {
      loadConfig({ PROMETHEUS_URL: `ftp://u:${MARK}@host`, LOGS_HEADERS: `{"X":"${MARK}"` });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/PROMETHEUS_URL=.*expected an http\(s\) URL/);
    expect(message).toMatch(/LOGS_HEADERS=\(hidden\)/);
    expect(message).not.toContain(MARK);
  });
});

describe('NATS credentials against a real nats-server', () => {
  const USER = 'tarka';
  const PASSWORD = `nats-${MARK}-pw`;
  const TOKEN = `nats-${MARK}-token`;
  let dir: string;
  let withPassword: { server: ServerProcess; port: number };
  let withToken: { server: ServerProcess; port: number };
  let withTls: { server: ServerProcess; port: number };
  let certs: TestCertificates;

  async function natsServer(auth: string[]) {
    const port = await freePort();
    const monitor = await freePort();
    const store = join(dir, String(port));
    const server = await startServer(
      'nats-server',
      ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitor), '-js', '-sd', store, ...auth],
      `http://127.0.0.1:${monitor}`,
      { readyPath: '/healthz' },
    );
    return { server, port };
  }

  beforeAll(async () => {
    dir = await tempDir('tarka-nats-auth-');
    certs = await makeCertificates(dir);
    const tls = ['--tls', '--tlscert', certs.certFile, '--tlskey', certs.keyFile];
    [withPassword, withToken, withTls] = await Promise.all([
      natsServer(['--user', USER, '--pass', PASSWORD]),
      natsServer(['--auth', TOKEN]),
      natsServer([...tls, '--user', USER, '--pass', PASSWORD]),
    ]);
  }, 30_000);
  afterAll(async () => {
    await withPassword?.server.stop();
    await withToken?.server.stop();
    await withTls?.server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Connects as a process does, appends one message, reads it back on the replay reader thread. */
  async function roundTrip(env: Record<string, string>) {
    const logs = capturedLogger();
    const config = testConfig({ LOG_LEVEL: 'debug', ...env });
    const { nc } = await connectEventLog(config, logs.log, 'test');
    try {
      await nc.jetstream().publish(`${config.EVENTS_SUBJECT_PREFIX}.case.c1`, new TextEncoder().encode('{}'));
      let got = 0;
      const sub = readInThread({
        ...natsSettings(config),
        stream: config.EVENTS_STREAM,
        fromSeq: 1,
        batchSize: 10,
        onMessages: async (m) => {
          got += m.length;
        },
      });
      await waitFor(async () => got === 1, 10_000);
      await sub.stop();
    } finally {
      await nc.close();
    }
    expect(logs.text()).toContain('connected to NATS JetStream');
    expect(logs.text()).not.toContain(MARK);
  }

  it('user:pass@ in NATS_URL, for the process and its replay reader thread', async () => {
    await roundTrip({ NATS_URL: `nats://${USER}:${PASSWORD}@127.0.0.1:${withPassword.port}` });
  });

  it('NATS_USER and NATS_PASSWORD', async () => {
    await roundTrip({
      NATS_URL: `nats://127.0.0.1:${withPassword.port}`,
      NATS_USER: USER,
      NATS_PASSWORD: PASSWORD,
    });
  });

  it('a token: in NATS_URL as token@, or NATS_TOKEN', async () => {
    await roundTrip({ NATS_URL: `nats://${TOKEN}@127.0.0.1:${withToken.port}` });
    await roundTrip({ NATS_URL: `nats://127.0.0.1:${withToken.port}`, NATS_TOKEN: TOKEN });
  });

  it('TLS with a private CA (NATS_TLS_CA_FILE), for the process and its replay reader thread', async () => {
    await roundTrip({
      NATS_URL: `tls://${USER}:${PASSWORD}@127.0.0.1:${withTls.port}`,
      NATS_TLS_CA_FILE: certs.caFile,
    });
  });

  it('an unreadable NATS_CREDS_FILE stops start-up naming the variable', async () => {
    const config = testConfig({
      NATS_URL: `nats://127.0.0.1:${withToken.port}`,
      NATS_CREDS_FILE: join(dir, 'none'),
    });
    await expect(connectEventLog(config, capturedLogger().log, 'test')).rejects.toMatchObject({
      code: 'TARKA_CONFIG_INVALID',
      message: expect.stringContaining('NATS_CREDS_FILE'),
    });
  });

  it('a refused login names the server, not the password', async () => {
    const logs = capturedLogger();
    const config = testConfig({
      NATS_URL: `nats://${USER}:wrong-${MARK}@127.0.0.1:${withPassword.port}`,
    });
    const err = await connectEventLog(config, logs.log, 'test').then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(
      new RegExp(`cannot reach NATS at nats://127\\.0\\.0\\.1:${withPassword.port}`),
    );
    expect(`${err?.message} ${logs.text()}`).not.toContain(MARK);
  });
});
