// One-line finding per evidence item for the report's evidence list: what came back, never the
// raw data.

import type {
  AlertsData,
  EventsData,
  EvidenceItem,
  InstantData,
  LogsData,
  NodeData,
  PodData,
  RangeData,
  SeriesData,
  SilencesData,
  WorkloadData,
} from '../collectors/evidence.js';
import type { EvidenceSummary } from '../contract/report.js';
import { allPoints, lastValue, maxOf } from './series.js';
import { cap, oneLine, plural } from './text.js';
import { isErrorLine } from './logs.js';
import { okData } from './view.js';

const num = (v: number | null) => (v === null ? '?' : Number.isInteger(v) ? String(v) : v.toPrecision(3));

function podFinding(p: PodData): string {
  const cs = p.containers.map((c) => {
    const state = c.state === 'running' ? 'running' : `${c.state}${c.reason ? ` ${c.reason}` : ''}`;
    const last = c.lastTermination?.reason
      ? `, last ${c.lastTermination.reason}${c.lastTermination.exitCode != null ? ` (exit ${c.lastTermination.exitCode})` : ''}`
      : '';
    return `${c.name}: ${state}, ${plural(c.restartCount, 'restart')}${last}`;
  });
  return `phase ${p.phase}${p.node ? ` on ${p.node}` : ''}; ${cs.join('; ')}`;
}

function workloadFinding(w: WorkloadData): string {
  const bad = w.conditions.filter(
    (c) => (c.type === 'Available' || c.type === 'Progressing') && c.status !== 'True',
  );
  const reps =
    w.desiredReplicas != null ? `${w.availableReplicas ?? 0}/${w.desiredReplicas} available` : 'replicas n/a';
  const job = w.kind === 'Job' ? `, failed ${w.failed ?? 0}, succeeded ${w.succeeded ?? 0}` : '';
  const cond = bad.map((c) => `${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ''}`).join(', ');
  return `${reps}${job}; ${plural(w.revisions.length, 'revision')}${w.revisions[0] ? `, newest ${w.revisions[0].createdAt}` : ''}${cond ? `; ${cond}` : ''}`;
}

function eventsFinding(e: EventsData): string {
  const warn = e.events.filter((x) => x.type === 'Warning');
  const top = [...warn].sort((a, b) => b.count - a.count)[0];
  return `${plural(e.events.length, 'event')}, ${plural(warn.length, 'warning')}${top ? `; top: ${top.reason} ×${top.count}` : ''}`;
}

function finding(item: EvidenceItem): string {
  if (item.status === 'unavailable' || item.status === 'error') {
    return `${item.status}: ${item.error ?? 'no reason given'}`;
  }
  if (item.status === 'empty') return item.error ? `empty: ${item.error}` : 'no data returned';
  switch (item.kind) {
    case 'range': {
      const d = okData<RangeData>(item);
      if (!d) return 'malformed data';
      const latest = d.series.map((s) => lastValue(s.points)).filter((v): v is number => v !== null);
      return `${plural(d.series.length, 'series', 'series')}; peak ${num(maxOf(allPoints(d)))}, latest ${num(latest.length ? Math.max(...latest) : null)}`;
    }
    case 'instant': {
      const d = okData<InstantData>(item);
      if (!d) return 'malformed data';
      const vals = d.series.slice(0, 3).map((s) => {
        const label =
          s.labels.reason ?? s.labels.condition ?? s.labels.code ?? s.labels.phase ?? s.labels.__name__;
        return `${label ? `${label}=` : ''}${num(s.value)}`;
      });
      return `${plural(d.series.length, 'series', 'series')}${vals.length ? `: ${vals.join(', ')}` : ''}`;
    }
    case 'series': {
      const d = okData<SeriesData>(item);
      return d ? plural(d.series.length, 'series', 'series') : 'malformed data';
    }
    case 'alerts': {
      const d = okData<AlertsData>(item);
      if (!d) return 'malformed data';
      const ns = new Set(d.alerts.map((a) => a.labels.namespace).filter(Boolean));
      return `${plural(d.alerts.length, 'alert')} firing across ${plural(ns.size, 'namespace')}`;
    }
    case 'silences': {
      const d = okData<SilencesData>(item);
      return d ? plural(d.silences.length, 'silence') : 'malformed data';
    }
    case 'pod': {
      const d = okData<PodData>(item);
      return d ? podFinding(d) : 'malformed data';
    }
    case 'workload': {
      const d = okData<WorkloadData>(item);
      return d ? workloadFinding(d) : 'malformed data';
    }
    case 'events': {
      const d = okData<EventsData>(item);
      return d ? eventsFinding(d) : 'malformed data';
    }
    case 'node': {
      const d = okData<NodeData>(item);
      if (!d) return 'malformed data';
      const ready = d.conditions.find((c) => c.type === 'Ready');
      const pressure = d.conditions
        .filter((c) => c.type !== 'Ready' && c.status === 'True')
        .map((c) => c.type);
      return `Ready=${ready?.status ?? '?'}${ready?.reason ? ` (${ready.reason})` : ''}${pressure.length ? `; ${pressure.join(', ')}` : ''}${d.unschedulable ? '; cordoned' : ''}`;
    }
    case 'logs':
    case 'previous_logs': {
      const d = okData<LogsData>(item);
      if (!d) return 'malformed data';
      const errs = d.lines.filter((l) => isErrorLine(l.line)).length;
      return `${plural(d.lines.length, 'line')} (${d.backend}), ${errs} error-like`;
    }
  }
}

export function summariseEvidence(
  items: readonly EvidenceItem[],
  max = 40,
): { list: EvidenceSummary[]; omitted: number } {
  const list = items.slice(0, max).map((item) => ({
    id: cap(item.id, 100),
    title: oneLine(item.title, 200),
    source: item.source,
    kind: cap(item.kind, 20),
    status: item.status,
    query: cap(item.query, 300),
    durationMs: Math.max(0, Number.isFinite(item.durationMs) ? item.durationMs : 0),
    finding: oneLine(`${finding(item)}${item.truncated ? ' (truncated)' : ''}`, 200),
    truncated: item.truncated === true,
  }));
  return { list, omitted: Math.max(0, items.length - max) };
}
