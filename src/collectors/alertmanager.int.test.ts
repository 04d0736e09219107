import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertsData, SilencesData } from './evidence.js';
import {
  createAlertmanagerCollector,
  escapeMatcherValue,
  matcherAccepts,
  type AlertmanagerRequest,
} from './alertmanager.js';
import { freePort } from '../testkit/processes.js';
import { startAlertmanager, type AlertmanagerFixture } from '../testkit/alertmanager.js';

// Against a real Alertmanager 0.25, fed through its own API.

const WEIRD = 'Weird"Name\\with\nnewline"} ,x';
const window = { start: new Date(Date.now() - 3_600_000), end: new Date() };

let am: AlertmanagerFixture;
let regexSilence: string;
let expiredSilence: string;

beforeAll(async () => {
  am = await startAlertmanager();
  await am.postAlerts([
    {
      labels: { alertname: 'KubePodCrashLooping', namespace: 'shop', pod: 'api-1' },
      startsAt: '2026-01-01T10:00:00Z',
    },
    {
      labels: { alertname: 'KubePodCrashLooping', namespace: 'shop', pod: 'api-2' },
      startsAt: '2026-01-01T11:00:00Z',
    },
    { labels: { alertname: 'KubePodCrashLoopingX', namespace: 'shop', pod: 'api-3' } },
    { labels: { alertname: 'NoisyThing', namespace: 'shop' } },
    { labels: { alertname: WEIRD, namespace: 'shop' } },
  ]);
  regexSilence = await am.postSilence({
    matchers: [
      { name: 'alertname', value: 'KubePod.*', isRegex: true, isEqual: true },
      { name: 'namespace', value: 'other', isRegex: false, isEqual: true },
    ],
    comment: 'known flapping in other',
    createdBy: 'sre@example.com',
  });
  await am.postSilence({
    matchers: [{ name: 'alertname', value: 'NoisyThing', isRegex: false, isEqual: true }],
  });
  await am.postSilence({
    matchers: [
      { name: 'namespace', value: 'shop', isRegex: false, isEqual: true },
      { name: 'alertname', value: 'Other', isRegex: false, isEqual: true },
    ],
  });
  expiredSilence = await am.postSilence({
    matchers: [{ name: 'alertname', value: 'KubePodCrashLooping', isRegex: false, isEqual: true }],
  });
  await am.expireSilence(expiredSilence);
});

afterAll(async () => {
  await am?.stop();
});

const alerts = (alertname: string): AlertmanagerRequest => ({
  id: 'a1',
  title: 'alerts',
  source: 'alertmanager',
  kind: 'alerts',
  alertname,
});
const silences = (alertname: string): AlertmanagerRequest => ({
  id: 's1',
  title: 'silences',
  source: 'alertmanager',
  kind: 'silences',
  alertname,
});

describe('Alertmanager collector against a real Alertmanager', () => {
  it('lists the active, unsilenced alerts of exactly one alertname, newest first', async () => {
    const item = await createAlertmanagerCollector(am.url).collect(alerts('KubePodCrashLooping'), window);
    expect(item.status).toBe('ok');
    expect(item.query).toBe(
      'GET /api/v2/alerts?filter=alertname="KubePodCrashLooping"&active=true&silenced=false&inhibited=false',
    );
    const list = (item.data as AlertsData).alerts;
    expect(list.map((a) => a.labels.pod)).toEqual(['api-2', 'api-1']);
    expect(list[0]).toMatchObject({ state: 'active', startsAt: '2026-01-01T11:00:00.000Z' });
    expect(list[0]!.fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('leaves out silenced alerts', async () => {
    const item = await createAlertmanagerCollector(am.url).collect(alerts('NoisyThing'), window);
    expect(item.status).toBe('empty');
    expect(item.data).toBeNull();
  });

  it('escapes quotes, backslashes, newlines and "} in the alertname filter', async () => {
    const item = await createAlertmanagerCollector(am.url).collect(alerts(WEIRD), window);
    expect(item.status).toBe('ok');
    expect((item.data as AlertsData).alerts.map((a) => a.labels.alertname)).toEqual([WEIRD]);
    // A prefix of the weird name must not match (no injection, no partial match).
    const prefix = await createAlertmanagerCollector(am.url).collect(alerts('Weird"Name'), window);
    expect(prefix.status).toBe('empty');
  });

  it('finds active silences whose alertname matchers accept the name, regex included', async () => {
    const item = await createAlertmanagerCollector(am.url).collect(silences('KubePodCrashLooping'), window);
    expect(item.status).toBe('ok');
    const list = (item.data as SilencesData).silences;
    // The expired equality silence and the silences of other alertnames are left out.
    expect(list.map((s) => s.id)).toEqual([regexSilence]);
    expect(list[0]).toMatchObject({
      createdBy: 'sre@example.com',
      comment: 'known flapping in other',
      matchers: [
        { name: 'alertname', value: 'KubePod.*', isRegex: true, isEqual: true },
        { name: 'namespace', value: 'other', isRegex: false, isEqual: true },
      ],
    });
  });

  it('says empty when no silence covers the alertname', async () => {
    const item = await createAlertmanagerCollector(am.url).collect(silences('DiskFull'), window);
    expect(item.status).toBe('empty');
  });
});

describe('Alertmanager collector when Alertmanager is not usable', () => {
  it('is unavailable without ALERTMANAGER_URL', async () => {
    const item = await createAlertmanagerCollector(undefined).collect(alerts('X'), window);
    expect(item.status).toBe('unavailable');
    expect(item.error).toMatch(/ALERTMANAGER_URL/);
  });

  it('is unavailable, naming the address, when nothing listens', async () => {
    const port = await freePort();
    const item = await createAlertmanagerCollector(`http://127.0.0.1:${port}/`).collect(
      silences('X'),
      window,
    );
    expect(item.status).toBe('unavailable');
    expect(item.error).toBe(
      `Alertmanager at http://127.0.0.1:${port} unreachable: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });
});

describe('matcher helpers', () => {
  it('escapes exactly what the Alertmanager matcher parser unescapes', () => {
    expect(escapeMatcherValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
  });

  it('anchors regex matchers and honours isEqual=false', () => {
    const m = { name: 'alertname', value: 'Kube.*', isRegex: true, isEqual: true };
    expect(matcherAccepts(m, 'KubeDown')).toBe(true);
    expect(matcherAccepts(m, 'NotKubeDown')).toBe(false);
    expect(matcherAccepts({ ...m, isEqual: false }, 'KubeDown')).toBe(false);
    expect(matcherAccepts({ ...m, value: '(?i)kube.*' }, 'KubeDown')).toBe(true);
    expect(matcherAccepts({ ...m, value: '(' }, 'KubeDown')).toBe(false);
  });
});
