import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, startServer, tempDir, type ServerProcess } from '../../src/testkit/processes.js';
import { openMetrics, type SyntheticSeries } from '../../src/testkit/prometheus.js';

const run = promisify(execFile);

/**
 * A small monitoring stack made of the real Debian binaries: a Prometheus holding an hour of
 * synthetic kube-state-metrics/cAdvisor history (written with promtool), scraping a live exporter
 * for "now", evaluating alerting rules, and an Alertmanager posting to a webhook.
 */
export interface MonitoringStack {
  prometheusUrl: string;
  alertmanagerUrl: string;
  /** Changes what the live exporter reports from now on. */
  setLive(series: LiveSeries[]): void;
  stop(): Promise<void>;
}

export interface LiveSeries {
  metric: string;
  labels: Record<string, string>;
  value: number;
  type?: 'counter' | 'gauge';
}

const esc = (v: string) => v.replace(/[\\"\n]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n' })[c]!);

function exposition(series: LiveSeries[]): string {
  const byMetric = new Map<string, LiveSeries[]>();
  for (const s of series) byMetric.set(s.metric, [...(byMetric.get(s.metric) ?? []), s]);
  const out: string[] = [];
  for (const [metric, members] of byMetric) {
    out.push(`# TYPE ${metric} ${members[0]!.type ?? 'gauge'}`);
    for (const s of members)
      out.push(
        `${metric}{${Object.entries(s.labels)
          .map(([k, v]) => `${k}="${esc(v)}"`)
          .join(',')}} ${s.value}`,
      );
  }
  return `${out.join('\n')}\n`;
}

export async function startMonitoring(options: {
  webhookUrl: string;
  rules: string;
  history: SyntheticSeries[];
  live: LiveSeries[];
  historySeconds?: number;
}): Promise<MonitoringStack> {
  const dir = await tempDir('tarka-e2e-');
  let live = options.live;
  const exporter: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(exposition(live));
  });
  const exporterPort = await freePort();
  await new Promise<void>((r) => exporter.listen(exporterPort, '127.0.0.1', r));

  // History: an hour of samples every 30 s, ending a minute ago (the exporter covers now).
  const interval = 30;
  const count = Math.floor((options.historySeconds ?? 3600) / interval);
  const startSec = Math.floor(Date.now() / 1000) - 60 - (count - 1) * interval;
  await writeFile(join(dir, 'history.om'), openMetrics(options.history, startSec, count, interval));
  await run('promtool', [
    'tsdb',
    'create-blocks-from',
    'openmetrics',
    join(dir, 'history.om'),
    join(dir, 'data'),
  ]);

  const amPort = await freePort();
  const alertmanagerUrl = `http://127.0.0.1:${amPort}`;
  await writeFile(
    join(dir, 'alertmanager.yml'),
    `route:
  receiver: tarka
  group_by: [alertname, namespace]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1m
receivers:
  - name: tarka
    webhook_configs:
      - url: ${options.webhookUrl}
        send_resolved: true
        max_alerts: 0
`,
  );
  const processes: ServerProcess[] = [];
  const stop = async () => {
    for (const p of processes.reverse()) await p.stop();
    await new Promise((r) => exporter.close(r));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    processes.push(
      await startServer(
        'prometheus-alertmanager',
        [
          `--config.file=${join(dir, 'alertmanager.yml')}`,
          `--storage.path=${join(dir, 'am')}`,
          `--web.listen-address=127.0.0.1:${amPort}`,
          '--cluster.listen-address=',
          '--log.level=warn',
        ],
        alertmanagerUrl,
        { readyPath: '/-/ready', cwd: dir },
      ),
    );
    await writeFile(join(dir, 'rules.yml'), options.rules);
    await writeFile(
      join(dir, 'prometheus.yml'),
      `global:
  scrape_interval: 2s
  evaluation_interval: 1s
  external_labels: { cluster: e2e-1, prometheus: monitoring/k8s }
rule_files: [rules.yml]
alerting:
  alertmanagers:
    - static_configs: [{ targets: ['127.0.0.1:${amPort}'] }]
scrape_configs:
  - job_name: kube-state-metrics
    honor_labels: true
    static_configs: [{ targets: ['127.0.0.1:${exporterPort}'] }]
`,
    );
    const promPort = await freePort();
    const prometheusUrl = `http://127.0.0.1:${promPort}`;
    processes.push(
      await startServer(
        'prometheus',
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          '--storage.tsdb.retention.time=30d',
          // Alerts raised before the notifier has found Alertmanager are otherwise only re-sent after 1 min.
          '--rules.alert.resend-delay=2s',
          `--web.listen-address=127.0.0.1:${promPort}`,
          '--log.level=warn',
        ],
        prometheusUrl,
        { readyPath: '/-/ready', cwd: dir },
      ),
    );
    return { prometheusUrl, alertmanagerUrl, setLive: (s) => (live = s), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
