// Hostile input: label values built to break out of PromQL strings, shell quoting and Markdown;
// and evidence large enough to blow up a careless report.

import { describe, expect, it } from 'vitest';
import { EV } from './ids.js';
import { alerts, container, events, logs, pod, silences, workload } from '../testkit/analysis/kube.js';
import {
  instant,
  makeAlert,
  minutesBefore,
  points,
  range,
  run,
  STARTS_AT,
} from '../testkit/analysis/scenario.js';
import { renderMarkdown } from './markdown.js';
import { reportSchemaV1 } from '../contract/report.js';

const HOSTILE = {
  namespace: 'pay"} or vector(1) #',
  pod: "api'; rm -rf / #",
  container: 'c\\d\ne"}',
  deployment: 'api"\n$(reboot)`id`',
};

/** Markdown with fenced blocks and code spans removed: what a renderer parses as Markdown. */
function proseOnly(md: string): string {
  const lines: string[] = [];
  let fence: string | null = null;
  for (const line of md.split('\n')) {
    const m = /^(`{3,})/.exec(line);
    if (fence) {
      if (m && m[1]!.length >= fence.length && line.trim() === m[1]) fence = null;
      continue;
    }
    if (m) {
      fence = m[1]!;
      continue;
    }
    lines.push(line.replace(/(`+)(?:(?!\1).)+?\1/g, ''));
  }
  expect(fence).toBeNull();
  return lines.join('\n');
}

/** POSIX shell words for the subset we emit: bare words, '…' and \x. Throws on unquoted metacharacters. */
function shellWords(cmd: string): string[] {
  const words: string[] = [];
  let cur: string | null = null;
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i]!;
    if (c === "'") {
      const end = cmd.indexOf("'", i + 1);
      if (end < 0) throw new Error('unterminated quote');
      cur = (cur ?? '') + cmd.slice(i + 1, end);
      i = end;
    } else if (c === '\\') {
      cur = (cur ?? '') + cmd[++i];
    } else if (c === ' ') {
      if (cur !== null) words.push(cur);
      cur = null;
    } else if (/[;&|$`()<>\n"]/.test(c)) {
      throw new Error(`unquoted metacharacter ${JSON.stringify(c)} in ${cmd}`);
    } else {
      cur = (cur ?? '') + c;
    }
  }
  if (cur !== null) words.push(cur);
  return words;
}

const LITERAL = /"((?:[^"\\]|\\.)*)"/g;
/** String literals of a PromQL query, decoded (PromQL uses Go escapes, a superset of what we emit). */
const literals = (q: string) => [...q.matchAll(LITERAL)].map((m) => JSON.parse(`"${m[1]}"`) as string);
const outsideLiterals = (q: string) => q.replace(LITERAL, '""');

describe('hostile label values', () => {
  const alert = makeAlert({ alertname: 'KubePodCrashLooping', severity: 'warning', ...HOSTILE });
  const r = run(alert, () => ({}));

  it('keeps every value inside one PromQL string literal, in the plan and in next steps', () => {
    const queries = [
      ...r.requests.flatMap((x) => ('query' in x ? [x.query] : [])),
      ...r.report.nextSteps.filter((s) => s.kind === 'promql').map((s) => s.command),
    ];
    expect(queries.length).toBeGreaterThan(4);
    for (const q of queries) {
      expect(q).not.toContain('\n');
      expect(outsideLiterals(q)).not.toMatch(/vector\(1\)|rm -rf|reboot/);
      const lits = literals(q);
      expect(lits).toContain(HOSTILE.namespace);
      if (q.includes('pod="')) expect(lits).toContain(HOSTILE.pod);
    }
  });

  it('shell-quotes every kubectl argument so it parses back to the exact values', () => {
    const kubectl = r.report.nextSteps.filter((s) => s.kind === 'kubectl');
    expect(kubectl.length).toBeGreaterThanOrEqual(3);
    for (const s of kubectl) {
      const argv = shellWords(s.command);
      expect(argv[0]).toBe('kubectl');
      expect(argv).toContain(`--namespace=${HOSTILE.namespace}`);
      expect(s.why).toMatch(/not a valid Kubernetes name/);
    }
    const describe = shellWords(kubectl.find((s) => s.title === 'Describe the pod')!.command);
    expect(describe).toEqual([
      'kubectl',
      `--namespace=${HOSTILE.namespace}`,
      'describe',
      `pod/${HOSTILE.pod}`,
    ]);
    const prev = shellWords(kubectl.find((s) => s.command.includes('--previous'))!.command);
    expect(prev).toContain(`--container=${HOSTILE.container}`);
    const history = shellWords(kubectl.find((s) => s.command.includes('rollout history'))!.command);
    expect(history).toContain(`deployment/${HOSTILE.deployment}`);
    const ev = shellWords(kubectl.find((s) => s.title === 'Events for the pod')!.command);
    expect(ev).toContain(`--field-selector=involvedObject.name=api'; rm -rf / #`);
  });

  it('escapes field-selector syntax inside values', () => {
    const r2 = run(
      makeAlert({ alertname: 'KubePodCrashLooping', namespace: 'ns', pod: 'a,b=c\\d' }),
      () => ({}),
    );
    const ev = r2.report.nextSteps.find((s) => s.title === 'Events for the pod')!;
    expect(shellWords(ev.command)).toContain('--field-selector=involvedObject.name=a\\,b\\=c\\\\d');
  });

  it('renders Markdown in which the values cannot add headings or break fences', () => {
    const md = renderMarkdown(r.report);
    const outside = proseOnly(md);
    // Only the report's own headings start a line with #.
    const headings = outside.split('\n').filter((l) => l.startsWith('#'));
    expect(headings.filter((h) => h.startsWith('# '))).toHaveLength(1);
    for (const h of headings) expect(h).toMatch(/^(# Crash loop on |## [A-Z]|### \d+\. )/);
    // The newline inside the container label did not start a new Markdown line outside code.
    expect(outside).not.toMatch(/^e"\}/m);
  });
});

describe('Markdown escaping of untrusted text', () => {
  const nasty = {
    alertname: 'KubePodCrashLooping',
    namespace: 'shop',
    pod: 'web-0',
    team: '[click](https://evil.example/x) <img src=x onerror=alert(1)> **bold** | cell',
    severity: '# heading\n- item',
  };
  const r = run(makeAlert(nasty), () => ({
    [EV.previousLogs]: logs([
      'ERROR see <script>alert(1)</script> and [x](javascript:alert(1)) ``` and www.evil.example',
      '```',
      '## injected heading',
    ]),
  }));
  const md = renderMarkdown(r.report);

  it('leaves no raw HTML, links, emphasis or headings from untrusted text', () => {
    const prose = proseOnly(md);
    expect(prose).not.toMatch(/<img|<script/);
    expect(prose).toContain('&lt;img');
    expect(prose).not.toMatch(/(?<!\\)\[click(?<!\\)\]\(/);
    expect(prose).not.toMatch(/(?<!\\)\*\*bold/);
    expect(prose).not.toContain('https://evil');
    expect(prose).not.toMatch(/\bwww\.evil/);
    expect(prose).not.toMatch(/^#+ (heading|injected)/m);
    expect(prose).not.toMatch(/^- item/m);
  });

  it('keeps table rows intact when values contain pipes', () => {
    const row = md.split('\n').find((l) => l.startsWith('| Team / environment'))!;
    expect(row.split(/(?<!\\)\|/).length).toBe(4);
  });

  it('keeps log lines that contain fences inside their code spans and blocks', () => {
    expect(() => proseOnly(md)).not.toThrow();
    expect(proseOnly(md)).not.toMatch(/^## injected/m);
  });
});

describe('report size', () => {
  it('stays under 30 KB and valid with a huge, hostile evidence set', () => {
    const long = (s: string) => s.repeat(2000).slice(0, 5000);
    const labels: Record<string, string> = {
      alertname: 'KubePodCrashLooping',
      namespace: 'payments',
      pod: 'api-7d9f8b6c5-x2k4q',
      container: 'api',
      severity: 'critical',
      description: long('very long label '),
    };
    for (let i = 0; i < 60; i++) labels[`extra_${i}`] = long(`v${i}`);
    const r = run(makeAlert(labels, { expr: `sum(up{job="${'x'.repeat(4000)}"}) == 0` }), ({ window }) => {
      const lines: string[] = [];
      for (let i = 0; i < 5000; i++) {
        lines.push(
          `2026-11-26T19:${String(i % 60).padStart(2, '0')}:00Z ERROR request ${crypto.randomUUID()} failed kind=${i % 300} from 10.0.${i % 255}.1: connection refused ${long('z').slice(0, 400)}`,
        );
        if (i % 500 === 0)
          lines.push(
            'java.lang.RuntimeException: boom',
            ...Array.from({ length: 40 }, (_, j) => `\tat com.example.C${j}.m(C.java:${j})`),
          );
      }
      return {
        [EV.alertExpr]: range([{ labels: {}, points: points(window, () => 1) }]),
        [EV.restarts]: range(
          Array.from({ length: 100 }, (_, i) => ({
            labels: { pod: `api-${i}`, container: long('c') },
            points: points(window, (s) => Math.floor(s / 60)),
          })),
        ),
        [EV.lastTerminated]: instant(
          Array.from({ length: 50 }, (_, i) => ({
            labels: { reason: `Reason${i}`, pad: long('p') },
            value: 1,
          })),
        ),
        [EV.amAlerts]: alerts(
          Array.from({ length: 500 }, (_, i) => ({
            fingerprint: `fp${i}`,
            labels: {
              alertname: 'KubePodCrashLooping',
              namespace: `ns-${i % 80}-${long('n').slice(0, 300)}`,
              cluster: `c${i % 5}`,
              pod: long('p'),
            },
          })),
        ),
        [EV.amSilences]: silences(
          Array.from({ length: 200 }, (_, i) => ({
            id: `s${i}`,
            matchers: [{ name: 'alertname', value: 'KubePodCrashLooping', isRegex: false, isEqual: true }],
            endsAt: '2027-01-01T00:00:00Z',
            createdBy: long('u'),
            comment: long('why '),
          })),
        ),
        [EV.pod]: pod({
          name: 'api-7d9f8b6c5-x2k4q',
          namespace: 'payments',
          labels: { team: long('t') },
          containers: Array.from({ length: 30 }, (_, i) =>
            container({
              name: `c${i}`,
              state: 'waiting',
              reason: 'CrashLoopBackOff',
              message: long('m'),
              lastTermination: {
                reason: 'Error',
                exitCode: 1,
                message: long('dial tcp 10.0.0.1:5432: connection refused '),
              },
            }),
          ),
        }),
        [EV.podEvents]: events(
          Array.from({ length: 1000 }, (_, i) => ({
            reason: `R${i}`,
            message: long(`Readiness probe failed: ${i} `),
          })),
        ),
        [EV.workload]: workload({
          kind: 'Deployment',
          name: 'api',
          namespace: 'payments',
          revisions: Array.from({ length: 100 }, (_, i) => ({
            revision: String(100 - i),
            images: Array.from(
              { length: 10 },
              (_, j) => `registry.example.com/${long('i').slice(0, 300)}:${i}-${j}`,
            ),
            createdAt: minutesBefore(STARTS_AT, i - 10),
          })),
        }),
        [EV.logs]: logs(lines),
        [EV.previousLogs]: logs(lines.slice(0, 200), 'kubernetes'),
      };
    });
    const json = JSON.stringify(r.report);
    expect(json.length).toBeLessThanOrEqual(30_000);
    expect(reportSchemaV1.safeParse(r.report).success).toBe(true);
    expect(r.report.blastRadius).toMatchObject({
      firing: 500,
      namespaces: { count: 80 },
      clusters: { count: 5 },
    });
    expect(r.report.blastRadius.instances.length).toBeLessThanOrEqual(10);
    expect(r.report.logFindings.linesRead).toBeGreaterThan(5000);
    expect(renderMarkdown(r.report).length).toBeLessThan(60_000);
  });
});
