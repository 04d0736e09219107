import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, startServer, tempDir } from './processes.js';

// A real Alertmanager (Debian's /usr/bin/prometheus-alertmanager) on a free port, clustering
// off, with helpers to post alerts and silences through its own API v2.

export interface PostedAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
}

export interface PostedSilence {
  matchers: { name: string; value: string; isRegex: boolean; isEqual?: boolean }[];
  startsAt?: string;
  endsAt?: string;
  createdBy?: string;
  comment?: string;
}

export interface AlertmanagerFixture {
  url: string;
  postAlerts(alerts: PostedAlert[]): Promise<void>;
  /** Returns the silence id. */
  postSilence(silence: PostedSilence): Promise<string>;
  expireSilence(id: string): Promise<void>;
  stop(): Promise<void>;
}

const CONFIG = `route:
  receiver: nowhere
  group_wait: 1h
receivers:
  - name: nowhere
`;

async function send(url: string, method: string, body?: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export async function startAlertmanager(): Promise<AlertmanagerFixture> {
  const dir = await tempDir('tarka-alertmanager-');
  const config = join(dir, 'alertmanager.yml');
  await writeFile(config, CONFIG);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    try {
      const server = await startServer(
        'prometheus-alertmanager',
        [
          `--config.file=${config}`,
          `--storage.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          // Empty disables the gossip cluster (and its extra port).
          '--cluster.listen-address=',
          '--log.level=warn',
        ],
        url,
        { readyPath: '/-/ready', cwd: dir },
      );
      return {
        url,
        postAlerts: async (alerts) => {
          const now = new Date().toISOString();
          await send(
            `${url}/api/v2/alerts`,
            'POST',
            alerts.map((a) => ({ startsAt: now, annotations: {}, ...a })),
          );
        },
        postSilence: async (silence) => {
          const body = {
            startsAt: new Date().toISOString(),
            endsAt: new Date(Date.now() + 3_600_000).toISOString(),
            createdBy: 'test',
            comment: 'test silence',
            ...silence,
          };
          return ((await send(`${url}/api/v2/silences`, 'POST', body)) as { silenceID: string }).silenceID;
        },
        expireSilence: async (id) => {
          await send(`${url}/api/v2/silence/${encodeURIComponent(id)}`, 'DELETE');
        },
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
