import type { AlertInput, Window } from '../analysis/alert.js';
import { boundReport, boundStep, boundValue } from './bounds.js';
import type { EvidenceItem, EvidenceRequest } from '../collectors/evidence.js';
import type { InvestigationReport, Step } from './records.js';
import type { Recall } from '../memory/recall.js';
import type { RecordedReport } from '../contract/report.js';

export type { AlertInput, Window };
export type { InvestigationReport, Step };

/** What an investigation needs from the planner, the collectors and the analysis. */
export interface Toolkit {
  plan(alert: AlertInput, window: Window): { family: string; reasons: string[]; requests: EvidenceRequest[] };
  collect(request: EvidenceRequest, window: { start: Date; end: Date }): Promise<EvidenceItem>;
  analyze(input: {
    alert: AlertInput;
    window: Window;
    evidence: EvidenceItem[];
    now: string;
  }): InvestigationReport;
  /** Similar past incidents (case memory); without it the report has no memory section. */
  recall?: Recall;
}

/** Largest evidence payload (bytes of JSON) a step event carries; far below the 1 MB message cap. */
const MAX_STEP_DATA = 16_000;

/** Evidence as a timeline step: status, query and a bounded slice of the data. */
export function stepOf(item: EvidenceItem): Step {
  // Cut lines and lists rather than the JSON text, so the console still shows log lines and series.
  const { value: data, cut } = boundValue(item.data, MAX_STEP_DATA, { stringBytes: 2000, listItems: 200 });
  const detail = {
    id: item.id,
    source: item.source,
    kind: item.kind,
    query: item.query,
    error: item.error ?? null,
    truncated: (item.truncated ?? false) || cut,
    data,
  };
  const summary = item.status === 'ok' ? item.title : `${item.title}: ${item.error ?? item.status}`;
  return {
    step: `evidence:${item.id}`,
    status: item.status,
    startedAt: item.startedAt,
    durationMs: item.durationMs,
    summary,
    detail,
  };
}

/**
 * One investigation: plan, collect in parallel (each piece of evidence is reported as a step the
 * moment it arrives), then analyse. Collectors never throw; a missing source becomes an unknown.
 */
export async function investigate(
  alert: AlertInput,
  window: Window,
  toolkit: Toolkit,
  recordStep: (step: Step) => Promise<void>,
  options: {
    concurrency?: number;
    now?: () => Date;
    /** The case episode investigated: memory leaves it out of the similar incidents. */
    about?: { caseId: string; episode: number };
  } = {},
): Promise<InvestigationReport> {
  const now = options.now ?? (() => new Date());
  // Every step is bounded on its way out, so no collector answer can make its event too large.
  const record = (step: Step) => recordStep(boundStep(step));
  const t0 = now();
  const plan = toolkit.plan(alert, window);
  await record({
    step: 'plan',
    status: 'done',
    startedAt: t0.toISOString(),
    durationMs: now().getTime() - t0.getTime(),
    summary: `looks like ${plan.family}; collecting ${plan.requests.length} pieces of evidence`,
    detail: {
      family: plan.family,
      reasons: plan.reasons.slice(0, 10),
      requests: plan.requests.map((r) => ({ id: r.id, title: r.title, source: r.source, kind: r.kind })),
    },
  });

  const span = { start: new Date(window.start), end: new Date(window.end) };
  const evidence: EvidenceItem[] = new Array(plan.requests.length);
  let next = 0;
  const workers = Array.from(
    { length: Math.min(options.concurrency ?? 6, plan.requests.length) },
    async () => {
      while (next < plan.requests.length) {
        const i = next++;
        const item = await toolkit.collect(plan.requests[i]!, span);
        evidence[i] = item;
        await record(stepOf(item));
      }
    },
  );
  await Promise.all(workers);

  const a0 = now();
  const report = toolkit.analyze({ alert, window, evidence, now: a0.toISOString() });
  await record({
    step: 'analysis',
    status: 'done',
    startedAt: a0.toISOString(),
    durationMs: now().getTime() - a0.getTime(),
    summary: report.summary,
    detail: { family: report.family, classification: report.classification },
  });
  if (toolkit.recall && options.about) {
    const m0 = now();
    const memory = await toolkit.recall({
      report: report as RecordedReport,
      labels: alert.labels,
      about: options.about,
    });
    report.memory = memory;
    await record({
      step: 'memory',
      status: memory.status,
      startedAt: m0.toISOString(),
      durationMs: now().getTime() - m0.getTime(),
      summary:
        memory.status === 'ok'
          ? `${memory.matches.length} similar past incident${memory.matches.length === 1 ? '' : 's'}`
          : (memory.reason ?? memory.status),
      detail: {
        matches: memory.matches.map((m) => ({
          caseId: m.caseId,
          episode: m.episode,
          score: m.score,
          features: m.features.map((f) => f.feature),
        })),
      },
    });
  }
  return boundReport(report);
}
