import type { AlertInput, Window } from '../analysis/alert.js';
import type { CollectorStatus, EvidenceItem } from '../collectors/evidence.js';
import type { RecordedReport } from '../contract/report.js';
import type { Recorded } from '../events/envelope.js';

// What a finished investigation recorded, read back as the analysis' input: the alert of its
// episode, the window and `now` its report was made with, and each piece of evidence from its
// step event. Pure: `tarka reanalyze` queries no data source, it only re-reads the log.

/** A finished investigation as its case's events tell it. */
export interface StoredInvestigation {
  investigationId: string;
  /** Alert episode start the investigation was anchored on (dates the report snapshot). */
  anchor: string;
  completedSeq: number;
  completedAt: string;
  /** The latest report version: 1 as completed, more after each ReportRevised. */
  version: number;
  report: RecordedReport;
}

export type Rebuilt =
  | {
      ok: true;
      input: { alert: AlertInput; window: Window; evidence: EvidenceItem[]; now: string };
    }
  | { ok: false; reason: string };

/** Every investigation of the case that completed with a report, at its latest version. */
export function finishedInvestigations(events: readonly Recorded[]): StoredInvestigation[] {
  const out = new Map<string, StoredInvestigation>();
  for (const e of events) {
    if (e.type === 'InvestigationCompleted' && e.data.report) {
      out.set(e.data.investigationId, {
        investigationId: e.data.investigationId,
        anchor: e.data.anchor,
        completedSeq: e.seq,
        completedAt: e.occurredAt,
        version: 1,
        report: e.data.report,
      });
    } else if (e.type === 'ReportRevised') {
      const inv = out.get(e.data.investigationId);
      if (inv) out.set(inv.investigationId, { ...inv, version: e.data.version, report: e.data.report });
    }
  }
  return [...out.values()];
}

const EVIDENCE_STATUS = new Set<string>(['ok', 'empty', 'unavailable', 'error']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const str = (v: unknown) => (typeof v === 'string' ? v : null);

/** The analysis input of one investigation, or why its stored evidence cannot be re-read. */
export function rebuildInput(events: readonly Recorded[], inv: StoredInvestigation): Rebuilt {
  const requested = events.find(
    (e) => e.type === 'InvestigationRequested' && e.data.investigationId === inv.investigationId,
  );
  if (!requested || requested.type !== 'InvestigationRequested')
    return { ok: false, reason: 'no InvestigationRequested for it in the case' };
  // The worker investigates the episode's AlertFired, else the latest one before the request.
  const fired = events.filter((e) => e.type === 'AlertFired' && e.seq <= inv.completedSeq);
  const alertEvent =
    fired.find((e) => e.type === 'AlertFired' && e.data.episode === requested.data.episode) ?? fired.at(-1);
  if (!alertEvent || alertEvent.type !== 'AlertFired')
    return { ok: false, reason: 'no AlertFired before it' };
  const a = alertEvent.data;
  const alert: AlertInput = {
    fingerprint: a.fingerprint,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.startsAt,
    generatorURL: a.generatorURL,
  };

  // The first report's window and clock: the evidence was collected for them.
  const first = firstReport(events, inv.investigationId) ?? inv.report;
  const window = first.window;
  if (!isObject(window) || !str(window.start) || !str(window.end))
    return {
      ok: false,
      reason: 'its report has no evidence window (report written before windows were kept)',
    };
  const now = str(first.generatedAt) ?? inv.completedAt;

  // Steps of a retried job repeat; the last attempt's (the one that completed) wins.
  const steps = new Map<
    string,
    { status: string; startedAt: string; durationMs: number; summary: string; detail?: unknown }
  >();
  for (const e of events) {
    if (e.type === 'InvestigationStepCompleted' && e.data.investigationId === inv.investigationId)
      steps.set(e.data.step, e.data);
  }
  const plan = steps.get('plan');
  const requests =
    isObject(plan?.detail) && Array.isArray(plan.detail.requests) ? plan.detail.requests : null;
  if (!requests) return { ok: false, reason: 'no plan step with its requests (older step shape)' };

  const evidence: EvidenceItem[] = [];
  for (const r of requests) {
    const id = isObject(r) ? str(r.id) : null;
    if (!id) return { ok: false, reason: 'a planned request without an id (older step shape)' };
    const step = steps.get(`evidence:${id}`);
    if (!step) return { ok: false, reason: `evidence ${id} was planned but no step recorded it` };
    const d = step.detail;
    if (!isObject(d) || !('data' in d) || !str(d.source) || !str(d.kind) || typeof d.query !== 'string')
      return { ok: false, reason: `evidence ${id} was stored without its data (older step shape)` };
    if (!EVIDENCE_STATUS.has(step.status))
      return { ok: false, reason: `evidence ${id} has status ${step.status}, not a collector's` };
    const title = str((r as Record<string, unknown>).title) ?? step.summary;
    evidence.push({
      id,
      title,
      source: d.source as EvidenceItem['source'],
      kind: d.kind as EvidenceItem['kind'],
      status: step.status as CollectorStatus,
      query: d.query,
      startedAt: step.startedAt,
      durationMs: step.durationMs,
      ...(str(d.error) ? { error: str(d.error)! } : {}),
      data: d.data ?? null,
      ...(d.truncated === true ? { truncated: true } : {}),
    });
  }
  return {
    ok: true,
    input: { alert, window: { start: window.start as string, end: window.end as string }, evidence, now },
  };
}

function firstReport(events: readonly Recorded[], investigationId: string): RecordedReport | null {
  for (const e of events)
    if (e.type === 'InvestigationCompleted' && e.data.investigationId === investigationId)
      return e.data.report ?? null;
  return null;
}
