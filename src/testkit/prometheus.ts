import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, startServer, tempDir } from './processes.js';
import { bcryptHash, probe, type TestCertificates } from './secured.js';

// A real Prometheus (Debian's /usr/bin/prometheus) on a free port, its TSDB pre-filled with
// synthetic history by `promtool tsdb create-blocks-from openmetrics`. Blocks are loaded at
// start-up, so queries over the last hours answer at once; reusable by end-to-end tests.

const run = promisify(execFile);

export interface SyntheticSeries {
  metric: string;
  labels: Record<string, string>;
  /** Value at sample `i` (0 = oldest) taken at unix time `t` seconds; null writes no sample (absent). */
  value: (i: number, t: number) => number | null;
  /** OpenMetrics type; counters are written as such so rate() behaves. Default gauge. */
  type?: 'counter' | 'gauge';
}

export interface PrometheusOptions {
  series?: SyntheticSeries[];
  /** How far back the history goes (default 3 h). */
  historySeconds?: number;
  /** Sample interval (default 30 s). */
  intervalSeconds?: number;
  /** The newest sample's time; default now, so instant queries at "now" see it. */
  now?: Date;
  /** Serve HTTPS with this certificate (`--web.config.file`). */
  tls?: TestCertificates;
  /** Require basic auth with these users and passwords (hashed with bcrypt in the web config). */
  users?: Record<string, string>;
}

export interface PrometheusFixture {
  url: string;
  /** Time of the newest sample. */
  now: Date;
  /** Time of the oldest sample. */
  start: Date;
  intervalSeconds: number;
  stop(): Promise<void>;
}

/** Pods of a crash-looping shop: restarts climbing on api-1, flat elsewhere, 30 request series. */
export function defaultSeries(): SyntheticSeries[] {
  const series: SyntheticSeries[] = [
    {
      metric: 'kube_pod_container_status_restarts_total',
      labels: { namespace: 'shop', pod: 'api-1', container: 'api' },
      type: 'counter',
      value: (i) => Math.floor(i / 20),
    },
    {
      metric: 'kube_pod_container_status_restarts_total',
      labels: { namespace: 'shop', pod: 'api-2', container: 'api' },
      type: 'counter',
      value: () => 0,
    },
    {
      metric: 'container_memory_working_set_bytes',
      labels: { namespace: 'shop', pod: 'api-1', container: 'api' },
      value: (i) => 200e6 + (i % 20) * 15e6,
    },
  ];
  for (let p = 0; p < 30; p++) {
    series.push({
      metric: 'http_requests_total',
      labels: { namespace: 'shop', pod: `web-${String(p).padStart(2, '0')}`, code: '200' },
      type: 'counter',
      value: (i) => i * (p + 1),
    });
  }
  return series;
}

/** OpenMetrics label values escape backslash, double quote and line feed. */
function omEscape(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n' })[c]!);
}

export function openMetrics(
  series: SyntheticSeries[],
  startSec: number,
  count: number,
  interval: number,
): string {
  const lines: string[] = [];
  // OpenMetrics wants each metric family in one contiguous block, introduced by its TYPE.
  const families = new Map<string, SyntheticSeries[]>();
  for (const s of series) families.set(s.metric, [...(families.get(s.metric) ?? []), s]);
  for (const [metric, members] of families) {
    const type = members[0]!.type ?? 'gauge';
    // OpenMetrics counters are named without _total in TYPE and with it on samples.
    const family = type === 'counter' ? metric.replace(/_total$/, '') : metric;
    lines.push(`# TYPE ${family} ${type}`);
    for (const s of members) {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${omEscape(v)}"`)
        .join(',');
      for (let i = 0; i < count; i++) {
        const t = startSec + i * interval;
        const v = s.value(i, t);
        if (v !== null) lines.push(`${metric}{${labels}} ${v} ${t}`);
      }
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

export async function startPrometheus(options: PrometheusOptions = {}): Promise<PrometheusFixture> {
  const interval = options.intervalSeconds ?? 30;
  const history = options.historySeconds ?? 3 * 3600;
  const nowSec = Math.floor((options.now ?? new Date()).getTime() / 1000) - 1;
  const count = Math.floor(history / interval) + 1;
  const startSec = nowSec - (count - 1) * interval;

  const dir = await tempDir('tarka-prometheus-');
  const dataDir = join(dir, 'data');
  const input = join(dir, 'history.om');
  await writeFile(input, openMetrics(options.series ?? defaultSeries(), startSec, count, interval));
  await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', input, dataDir]);
  const config = join(dir, 'prometheus.yml');
  await writeFile(config, 'global:\n  scrape_interval: 1h\nscrape_configs: []\n');
  const web = join(dir, 'web.yml');
  const webLines: string[] = [];
  if (options.tls) {
    webLines.push(
      'tls_server_config:',
      `  cert_file: ${options.tls.certFile}`,
      `  key_file: ${options.tls.keyFile}`,
    );
  }
  const users = Object.entries(options.users ?? {});
  if (users.length > 0) {
    webLines.push('basic_auth_users:', ...users.map(([u, p]) => `  ${u}: ${JSON.stringify(bcryptHash(p))}`));
  }
  if (webLines.length > 0) await writeFile(web, `${webLines.join('\n')}\n`);
  const [firstUser] = users;
  const ready = (u: string) =>
    probe(u, firstUser && { user: firstUser[0], password: firstUser[1] }, options.tls?.ca);

  // A free port can be taken between probe and bind; a second try covers that race.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    try {
      const server = await startServer(
        'prometheus',
        [
          `--config.file=${config}`,
          `--storage.tsdb.path=${dataDir}`,
          // Generous retention so the imported blocks are never dropped as too old.
          '--storage.tsdb.retention.time=30d',
          `--web.listen-address=127.0.0.1:${port}`,
          '--log.level=warn',
          ...(webLines.length > 0 ? [`--web.config.file=${web}`] : []),
        ],
        url,
        { readyPath: '/-/ready', cwd: dir, probe: ready },
      );
      return {
        url,
        now: new Date(nowSec * 1000),
        start: new Date(startSec * 1000),
        intervalSeconds: interval,
        stop: async () => {
          await server.stop();
          await rm(dir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      if (attempt >= 2) {
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }
}
