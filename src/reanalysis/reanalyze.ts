import type { AnalyzeInput } from '../analysis/analyze.js';
import type { CaseCommandHandler } from '../commands/case/handler.js';
import { caseAggregate, caseIdOf, isCaseAggregate } from '../contract/case-id.js';
import type { RecordedReport } from '../contract/report.js';
import type { Recorded } from '../events/envelope.js';
import type { EventStore } from '../events/event-store.js';
import { boundReport } from '../investigation/bounds.js';
import type { InvestigationReport } from '../investigation/records.js';
import { asStored, compareReports, keyFields, type ChangedField, type KeyFields } from './diff.js';
import { finishedInvestigations, rebuildInput, type StoredInvestigation } from './stored-evidence.js';
import { tarkaVersion } from '../shared/version.js';

// `tarka reanalyze`: today's analysis run again over the evidence finished investigations stored
// in the log. No data source is queried. A report that comes out different is appended as the
// next version (ReportRevised); one that comes out the same appends nothing, so a second run with
// the same analysis is a no-op.

export interface ReanalyzeOptions {
  /** Only investigations completed at or after this instant. */
  since?: Date;
  /** Only reports whose current family is this one. */
  family?: string;
  /** Compute and report the differences, append nothing. */
  dryRun: boolean;
  /** At most this many investigations, the most recently completed first. */
  limit?: number;
  /** Why, as the ReportRevised events record it. */
  reason?: string;
}

export interface ReanalyzeDeps {
  store: EventStore;
  /** Appends the revisions; not needed for a dry run. */
  handler?: Pick<CaseCommandHandler, 'handle'>;
  /** The analysis' public entry (injectable, so a test can run a changed rule set). */
  analyze: (input: AnalyzeInput) => InvestigationReport;
  tarkaVersion?: string;
}

export interface Revision {
  caseId: string;
  investigationId: string;
  /** Version the revision replaces, and the one it is (or would be). */
  fromVersion: number;
  toVersion: number;
  before: KeyFields;
  after: KeyFields;
  /** Key fields that changed; empty when only other parts of the report did. */
  fields: ChangedField[];
  /** Appended now (false on a dry run, or when another run appended this version first). */
  appended: boolean;
}

export interface ReanalyzeResult {
  dryRun: boolean;
  examined: number;
  unchanged: number;
  revisions: Revision[];
  skipped: { caseId: string; investigationId: string; reason: string }[];
}

interface Candidate {
  caseId: string;
  investigationId: string;
  seq: number;
  completedAt: string;
  family: string | null;
}

export async function reanalyze(deps: ReanalyzeDeps, options: ReanalyzeOptions): Promise<ReanalyzeResult> {
  if (!options.dryRun && !deps.handler) throw new Error('reanalyze: appending needs a command handler');
  const chosen = select(await candidates(deps.store), options);
  const byCase = new Map<string, Set<string>>();
  for (const c of chosen) byCase.set(c.caseId, (byCase.get(c.caseId) ?? new Set()).add(c.investigationId));

  const result: ReanalyzeResult = {
    dryRun: options.dryRun,
    examined: 0,
    unchanged: 0,
    revisions: [],
    skipped: [],
  };
  for (const [caseId, ids] of byCase) {
    const { events } = await deps.store.readAggregate(caseAggregate(caseId));
    for (const inv of finishedInvestigations(events)) {
      if (!ids.has(inv.investigationId)) continue;
      result.examined++;
      const outcome = await reanalyzeOne(deps, options, caseId, events, inv);
      if (outcome === 'unchanged') result.unchanged++;
      else if ('reason' in outcome)
        result.skipped.push({ caseId, investigationId: inv.investigationId, reason: outcome.reason });
      else result.revisions.push(outcome);
    }
  }
  return result;
}

async function reanalyzeOne(
  deps: ReanalyzeDeps,
  options: ReanalyzeOptions,
  caseId: string,
  events: Recorded[],
  inv: StoredInvestigation,
): Promise<Revision | 'unchanged' | { reason: string }> {
  const rebuilt = rebuildInput(events, inv);
  if (!rebuilt.ok) return { reason: rebuilt.reason };
  let next: RecordedReport;
  try {
    const report = deps.analyze(rebuilt.input);
    // Similar incidents came from the read model at the time, not from the evidence: kept as they were.
    if (inv.report.memory !== undefined) report.memory = inv.report.memory;
    next = asStored(boundReport(report)) as RecordedReport;
  } catch (e) {
    return { reason: `the analysis failed on the stored evidence: ${(e as Error).message}`.slice(0, 300) };
  }
  const change = compareReports(inv.report, next);
  if (!change.any) return 'unchanged';
  const before = keyFields(inv.report);
  const revision: Revision = {
    caseId,
    investigationId: inv.investigationId,
    fromVersion: inv.version,
    toVersion: inv.version + 1,
    before,
    after: keyFields(next),
    fields: change.fields,
    appended: false,
  };
  if (options.dryRun) return revision;
  const res = await deps.handler!.handle(
    caseId,
    {
      type: 'ReviseReport',
      investigationId: inv.investigationId,
      anchor: inv.anchor,
      version: revision.toVersion,
      report: next,
      reason: options.reason ?? 'reanalyzed with the current analysis',
      tarkaVersion: deps.tarkaVersion ?? tarkaVersion,
      previous: { version: inv.version, ...before },
    },
    // One id per version: a rerun after a crash is absorbed by the duplicate window.
    `revise:${inv.investigationId}:v${revision.toVersion}`,
  );
  return { ...revision, appended: res.events.length > 0 && !res.duplicate };
}

function select(all: Candidate[], o: ReanalyzeOptions): Candidate[] {
  const since = o.since?.getTime();
  const picked = all
    .filter(
      (c) =>
        (since === undefined || Date.parse(c.completedAt) >= since) && (!o.family || c.family === o.family),
    )
    .sort((a, b) => b.seq - a.seq);
  return o.limit === undefined ? picked : picked.slice(0, o.limit);
}

/** Finished investigations with a report, each with its current family: one pass over the log. */
async function candidates(store: EventStore): Promise<Candidate[]> {
  const found = new Map<string, Candidate>();
  await readLog(store, (e) => {
    if (!isCaseAggregate(e.aggregate)) return;
    if (e.type === 'InvestigationCompleted' && e.data.report) {
      found.set(e.data.investigationId, {
        caseId: caseIdOf(e.aggregate),
        investigationId: e.data.investigationId,
        seq: e.seq,
        completedAt: e.occurredAt,
        family: typeof e.data.report.family === 'string' ? e.data.report.family : null,
      });
    } else if (e.type === 'ReportRevised') {
      const c = found.get(e.data.investigationId);
      if (c) c.family = typeof e.data.report.family === 'string' ? e.data.report.family : null;
    }
  });
  return [...found.values()];
}

/** Every event up to the log's head when called; unreadable messages are passed over. */
async function readLog(store: EventStore, onEvent: (e: Recorded) => void): Promise<void> {
  const head = await store.headSeq();
  if (head === 0) return;
  let reached!: () => void;
  const done = new Promise<void>((r) => (reached = r));
  const sub = store.subscribe({
    fromSeq: 1,
    batchSize: 1000,
    onBatch: async (events) => {
      for (const e of events) if (e.seq <= head) onEvent(e);
      if (events.some((e) => e.seq >= head)) reached();
    },
    onUnreadable: async (seq) => {
      if (seq >= head) reached();
    },
  });
  try {
    await Promise.race([done, sub.done]);
  } finally {
    await sub.stop();
  }
}
