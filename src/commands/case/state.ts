import type { CaseEvent } from '../../events/case-events.js';

export interface CaseState {
  exists: boolean;
  /** Number of the current alert episode (0 before the first). */
  episode: number;
  /** startsAt of the current episode, as epoch ms (episode identity). */
  episodeStartMs: number | null;
  episodeStartsAt: string | null;
  alertStatus: 'firing' | 'resolved' | null;
  closed: boolean;
  snoozedUntil: string | null;
  /**
   * A short list (one per episode, plus manual requests), not a record keyed by id: V8 gives
   * every object with its own set of keys a hidden class, some 180 bytes per cached case.
   */
  investigations: readonly InvestigationState[];
  /** When the latest reruns were asked for (newest last, at most MAX_RERUN_TIMES): the rerun limit. */
  rerunTimes: readonly string[];
}

/** Reruns remembered per case; the per-hour limit cannot be set above it. */
export const MAX_RERUN_TIMES = 50;

export interface InvestigationState {
  id: string;
  episode: number;
  status: 'requested' | 'running' | 'completed' | 'failed' | 'skipped';
  attempt: number;
  /** Latest report version (absent: 1, the report InvestigationCompleted carried). */
  reportVersion?: number;
}

export const initialState = (): CaseState => ({
  exists: false,
  episode: 0,
  episodeStartMs: null,
  episodeStartsAt: null,
  alertStatus: null,
  closed: false,
  snoozedUntil: null,
  investigations: [],
  rerunTimes: [],
});

/** Folds one event into the state. Pure: no I/O, no clock. */
export function evolve(state: CaseState, event: CaseEvent): CaseState {
  switch (event.type) {
    case 'AlertFired':
      return {
        ...state,
        exists: true,
        episode: event.data.episode,
        episodeStartMs: Date.parse(event.data.startsAt),
        episodeStartsAt: event.data.startsAt,
        alertStatus: 'firing',
        closed: false,
      };
    case 'AlertResolved':
      return event.data.episode === state.episode ? { ...state, alertStatus: 'resolved' } : state;
    case 'InvestigationRequested': {
      const at = event.data.requestedAt;
      const next =
        at === undefined
          ? state
          : { ...state, rerunTimes: state.rerunTimes.concat(at).slice(-MAX_RERUN_TIMES) };
      return withInvestigation(next, {
        id: event.data.investigationId,
        episode: event.data.episode,
        status: 'requested',
        attempt: 0,
      });
    }
    case 'InvestigationStarted': {
      const inv = investigation(state, event.data.investigationId);
      return inv
        ? withInvestigation(state, {
            ...inv,
            status: 'running',
            attempt: event.data.attempt,
          })
        : state;
    }
    case 'InvestigationCompleted':
    case 'InvestigationFailed': {
      const inv = investigation(state, event.data.investigationId);
      if (!inv) return state;
      if (event.type === 'InvestigationFailed' && !event.data.final) return state;
      const status = event.type === 'InvestigationCompleted' ? 'completed' : 'failed';
      return withInvestigation(state, { ...inv, status });
    }
    case 'ReportRevised': {
      const inv = investigation(state, event.data.investigationId);
      return inv ? withInvestigation(state, { ...inv, reportVersion: event.data.version }) : state;
    }
    case 'InvestigationSkipped': {
      const inv = investigation(state, event.data.investigationId);
      return inv ? withInvestigation(state, { ...inv, status: 'skipped' }) : state;
    }
    case 'CaseSnoozed':
      return { ...state, snoozedUntil: event.data.until };
    case 'CaseResolved':
      return { ...state, closed: true, snoozedUntil: null };
    case 'CaseReopened':
      return { ...state, closed: false };
    case 'InvestigationStepCompleted':
    case 'InvestigationEnriched':
    case 'ChatMessagePosted':
    case 'ChatToolCallStarted':
    case 'ChatToolCallFinished':
    case 'ChatAnswerPosted':
    case 'ChatTurnFailed':
      return state;
  }
}

export const investigation = (state: CaseState, id: string): InvestigationState | undefined =>
  state.investigations.find((i) => i.id === id);

function withInvestigation(state: CaseState, inv: InvestigationState): CaseState {
  // concat allocates exactly what it holds; a spread into a literal reserves room to grow.
  return { ...state, investigations: state.investigations.filter((i) => i.id !== inv.id).concat(inv) };
}
