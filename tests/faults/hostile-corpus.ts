import { labelsFingerprint } from '../../src/ingest/alertmanager-payload.js';

// Hostile Alertmanager webhook payloads, each with the answers a careful receiver may give. Every
// entry must get a clear answer (never 5xx, never a hang); a 4xx must name the field at fault; an
// alert that is accepted must reach the read models (so no poison event wedges a projector) and
// keep the text it was sent with where that text is valid Unicode. Each alert carries its entry's
// name in the `hostile` label, so its case can be found afterwards.

export type Answer = 202 | 400 | 413 | 415;

export interface HostileEntry {
  name: string;
  /** A JSON body (sent with JSON.stringify), or a raw body with its content type. */
  body?: unknown;
  raw?: { text: string; contentType: string };
  expect: Answer[];
  /** A 4xx message must match this (it names the field at fault). */
  field?: RegExp;
  /** Alerts in the body; on 202 each must show up as a case carrying its `hostile` label. */
  alerts: number;
  /** Label values that must come back exactly as sent when the alert is accepted. */
  intact?: Record<string, string>;
}

const MB = 1024 * 1024;
const recent = () => new Date(Date.now() - 5 * 60_000).toISOString();

export function hostileAlert(
  name: string,
  labels: Record<string, string> = {},
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const all = {
    alertname: 'HostileInput',
    namespace: 'faults',
    severity: 'warning',
    hostile: name,
    ...labels,
  };
  return {
    status: 'firing',
    labels: all,
    annotations: { summary: `hostile input ${name}` },
    startsAt: recent(),
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.faults:9090/graph',
    fingerprint: labelsFingerprint(all),
    ...extra,
  };
}

export function notification(
  alerts: unknown[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    version: '4',
    status: 'firing',
    receiver: 'tarka',
    groupKey: '{}:{alertname="HostileInput"}',
    truncatedAlerts: 0,
    groupLabels: { alertname: 'HostileInput' },
    commonLabels: { alertname: 'HostileInput' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.faults:9093',
    alerts,
    ...extra,
  };
}

/** One alert whose labels come from JSON text, so keys like __proto__ stay plain own keys. */
function withLabelsJson(name: string, json: string): Record<string, unknown> {
  const a = hostileAlert(name);
  const labels = { ...(a.labels as Record<string, string>) };
  const extra = JSON.parse(json) as Record<string, string>;
  for (const k of Object.keys(extra)) Object.defineProperty(labels, k, { value: extra[k], enumerable: true });
  return { ...a, labels, fingerprint: labelsFingerprint(labels) };
}

const one = (
  name: string,
  labels: Record<string, string>,
  expect: Answer[],
  more: Partial<HostileEntry> & { extra?: Record<string, unknown> } = {},
): HostileEntry => ({
  name,
  body: notification([hostileAlert(name, labels, more.extra)]),
  expect,
  alerts: 1,
  ...more,
});

export function hostileCorpus(): HostileEntry[] {
  const labelField = /alerts\[0\]\.labels/;
  const annotationField = /alerts\[0\]\.annotations/;
  const manyLabels = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`l${i}`, `v${i}`]));
  const manyAnnotations = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`a${i}`, `v${i}`]));
  return [
    // Text Postgres cannot store (NUL) or that is not Unicode (a lone surrogate): normalised or refused.
    one('nul-label-value', { pod: 'api\u0000x' }, [202, 400], { field: labelField }),
    one('nul-label-name', { ['po\u0000d']: 'x' }, [202, 400], { field: labelField }),
    one('nul-annotation', {}, [202, 400], {
      field: annotationField,
      extra: { annotations: { summary: 'a\u0000b', description: '\u0000' } },
    }),
    {
      name: 'nul-group-key',
      body: notification([hostileAlert('nul-group-key')], { groupKey: 'g\u0000k', receiver: 'r\u0000' }),
      expect: [202, 400],
      field: /groupKey|receiver/,
      alerts: 1,
    },
    one('lone-high-surrogate-value', { pod: 'api\ud800' }, [202, 400], { field: labelField }),
    one('lone-low-surrogate-name', { ['\udc00pod']: 'x' }, [202, 400], { field: labelField }),
    one('lone-surrogate-annotation', {}, [202, 400], {
      field: annotationField,
      extra: { annotations: { summary: '\udfff broken' } },
    }),
    one('lone-surrogate-generator-url', {}, [202, 400], {
      field: /generatorURL/,
      extra: { generatorURL: 'http://x/\ud83d' },
    }),
    // Valid Unicode is kept exactly, whatever it looks like.
    one('valid-unicode', { pod: 'api-😀-\u202eevil-ʎ', team: '数据库' }, [202], {
      intact: { pod: 'api-😀-\u202eevil-ʎ', team: '数据库' },
    }),
    // Sizes: labels are the alert's identity and cannot be cut; annotations may be, visibly.
    one('label-value-1mb', { pod: 'x'.repeat(MB) }, [400, 413], { field: labelField }),
    one('label-name-64kb', { ['n'.repeat(64 * 1024)]: 'x' }, [202, 400, 413], { field: labelField }),
    one('annotation-1mb', {}, [202, 400, 413], {
      field: annotationField,
      extra: { annotations: { description: 'd'.repeat(MB) } },
    }),
    one('generator-url-1mb', {}, [202, 400, 413], {
      field: /generatorURL/,
      extra: { generatorURL: `http://x/${'g'.repeat(MB)}` },
    }),
    one('labels-10000', manyLabels, [400, 413], { field: labelField }),
    one('annotations-10000', {}, [202, 400, 413], {
      field: annotationField,
      extra: { annotations: manyAnnotations },
    }),
    {
      name: 'body-over-limit',
      body: notification([hostileAlert('body-over-limit', {}, { annotations: { d: 'x'.repeat(11 * MB) } })]),
      expect: [413],
      field: /bytes|body|large/i,
      alerts: 1,
    },
    // Time: a forged future start would mute the case for ever; ancient and zero times are absurd.
    one('startsAt-next-year', {}, [400], {
      field: /alerts\[0\]\.startsAt/,
      extra: { startsAt: new Date(Date.now() + 365 * 86_400_000).toISOString() },
    }),
    one('startsAt-year-9999', {}, [400], {
      field: /alerts\[0\]\.startsAt/,
      extra: { startsAt: '9999-12-31T23:59:59Z' },
    }),
    one('startsAt-epoch', {}, [202, 400], {
      field: /alerts\[0\]\.startsAt/,
      extra: { startsAt: '1970-01-01T00:00:00Z' },
    }),
    one('startsAt-zero-time', {}, [202, 400], {
      field: /alerts\[0\]\.startsAt/,
      extra: { startsAt: '0001-01-01T00:00:00Z' },
    }),
    one('startsAt-not-a-time', {}, [400], {
      field: /alerts\[0\]\.startsAt/,
      extra: { startsAt: 'yesterday' },
    }),
    one('endsAt-before-startsAt', {}, [202, 400], {
      field: /endsAt/,
      extra: { endsAt: '2001-01-01T00:00:00Z' },
    }),
    // Prototype keys as label names: plain names, or refused by the JSON parser, never a 500.
    {
      name: 'label-named-__proto__',
      raw: {
        text: JSON.stringify(notification([withLabelsJson('label-named-__proto__', '{"__proto__":"x"}')])),
        contentType: 'application/json',
      },
      expect: [202, 400],
      field: /__proto__|prototype/,
      alerts: 1,
    },
    {
      name: 'labels-object-prototype-keys',
      body: notification([
        withLabelsJson(
          'labels-object-prototype-keys',
          '{"constructor":"c","hasOwnProperty":"h","toString":"t","valueOf":"v","isPrototypeOf":"i"}',
        ),
      ]),
      expect: [202],
      alerts: 1,
      intact: { constructor: 'c', hasOwnProperty: 'h', toString: 't', valueOf: 'v' },
    },
    {
      name: 'constructor-prototype-pollution',
      raw: {
        text: JSON.stringify(notification([hostileAlert('constructor-prototype-pollution')])).replace(
          '"labels":{',
          '"labels":{"constructor":{"prototype":{"polluted":"yes"}},',
        ),
        contentType: 'application/json',
      },
      expect: [400],
      field: /labels|prototype|constructor/,
      alerts: 1,
    },
    // Subject characters: case ids become NATS subjects.
    ...['a.b', 'a*', 'a>', 'a b', '../../etc/passwd', ''].map((fp, i): HostileEntry => ({
      name: `fingerprint-subject-chars-${i}`,
      body: notification([{ ...hostileAlert(`fingerprint-subject-chars-${i}`), fingerprint: fp }]),
      expect: [400],
      field: /alerts\[0\]\.fingerprint/,
      alerts: 1,
    })),
    one(
      'label-values-subject-chars',
      { pod: 'a.b.*.>', namespace: 'x > y', container: 'tarka.events.case.>' },
      [202],
      {
        intact: { pod: 'a.b.*.>', namespace: 'x > y', container: 'tarka.events.case.>' },
      },
    ),
    // Query injection: label values end up inside PromQL, LogQL and LogsQL selectors.
    one(
      'promql-injection',
      { pod: 'x"} or vector(1) #', job: '.+"}[5m]) or up{job=~".*', deployment: "'; drop table cases; --" },
      [202],
      { intact: { pod: 'x"} or vector(1) #', deployment: "'; drop table cases; --" } },
    ),
    one('logql-injection', { container: '`} |= "" | line_format "{{.password}}"', app: '"}|~".*' }, [202], {
      intact: { container: '`} |= "" | line_format "{{.password}}"' },
    }),
    one('logsql-injection', { pod: 'x" OR _stream:{} OR "', service: '* | delete' }, [202], {
      intact: { pod: 'x" OR _stream:{} OR "' },
    }),
    // Path traversal: label values end up in report keys and links.
    one(
      'path-traversal',
      { pod: '../../../../etc/passwd', service: '..\\..\\windows\\system32', deployment: '%2e%2e%2f' },
      [202],
      {
        intact: { pod: '../../../../etc/passwd' },
        extra: {
          annotations: { runbook_url: 'file:///etc/passwd', dashboard: 'javascript:alert(1)' },
          generatorURL: 'file:///etc/shadow',
        },
      },
    ),
    // Not an Alertmanager payload at all.
    {
      name: 'not-json',
      raw: { text: '{"version": "4", "alerts": [', contentType: 'application/json' },
      expect: [400],
      alerts: 0,
    },
    { name: 'text-plain', raw: { text: 'hello', contentType: 'text/plain' }, expect: [400, 415], alerts: 0 },
    { name: 'json-array', body: [notification([])], expect: [400], alerts: 0 },
    {
      name: 'version-3',
      body: { ...notification([]), version: '3' },
      expect: [400],
      field: /version/,
      alerts: 0,
    },
    {
      name: 'alerts-not-array',
      body: { ...notification([]), alerts: {} },
      expect: [400],
      field: /alerts/,
      alerts: 0,
    },
    one('label-value-number', {}, [400], {
      field: labelField,
      extra: { labels: { alertname: 'HostileInput', hostile: 'label-value-number', pod: 42 } },
    }),
    one('alertname-missing', {}, [400], {
      field: /alertname/,
      extra: { labels: { hostile: 'alertname-missing', pod: 'x' } },
    }),
    one('status-pending', {}, [400], { field: /alerts\[0\]\.status/, extra: { status: 'pending' } }),
    {
      name: 'nested-100k-deep',
      raw: { text: `${'['.repeat(100_000)}${']'.repeat(100_000)}`, contentType: 'application/json' },
      expect: [400, 413],
      alerts: 0,
    },
  ];
}
