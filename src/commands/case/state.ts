import type { CaseEvent } from '../../events/case-events.js';

export interface CaseState {
  exists: boolean;
  fingerprint: string | null;
  /** Number of the current alert episode (0 before the first). */
  episode: number;
  /** startsAt of the current episode, as epoch ms (episode identity). */
  episodeStartMs: number | null;
  episodeStartsAt: string | null;
  alertStatus: 'firing' | 'resolved' | null;
  closed: boolean;
  snoozedUntil: string | null;
  investigations: Record<string, InvestigationState>;
}

export interface InvestigationState {
  episode: number;
  status: 'requested' | 'running' | 'completed' | 'failed';
  attempt: number;
}

export const initialState = (): CaseState => ({
  exists: false,
  fingerprint: null,
  episode: 0,
  episodeStartMs: null,
  episodeStartsAt: null,
  alertStatus: null,
  closed: false,
  snoozedUntil: null,
  investigations: {},
});

/** Folds one event into the state. Pure: no I/O, no clock. */
export function evolve(state: CaseState, event: CaseEvent): CaseState {
  switch (event.type) {
    case 'AlertFired':
      return {
        ...state,
        exists: true,
        fingerprint: event.data.fingerprint,
        episode: event.data.episode,
        episodeStartMs: Date.parse(event.data.startsAt),
        episodeStartsAt: event.data.startsAt,
        alertStatus: 'firing',
        closed: false,
      };
    case 'AlertResolved':
      return event.data.episode === state.episode ? { ...state, alertStatus: 'resolved' } : state;
    case 'InvestigationRequested':
      return withInvestigation(state, event.data.investigationId, {
        episode: event.data.episode,
        status: 'requested',
        attempt: 0,
      });
    case 'InvestigationStarted': {
      const inv = state.investigations[event.data.investigationId];
      return inv
        ? withInvestigation(state, event.data.investigationId, {
            ...inv,
            status: 'running',
            attempt: event.data.attempt,
          })
        : state;
    }
    case 'InvestigationCompleted':
    case 'InvestigationFailed': {
      const inv = state.investigations[event.data.investigationId];
      if (!inv) return state;
      if (event.type === 'InvestigationFailed' && !event.data.final) return state;
      const status = event.type === 'InvestigationCompleted' ? 'completed' : 'failed';
      return withInvestigation(state, event.data.investigationId, { ...inv, status });
    }
    case 'CaseSnoozed':
      return { ...state, snoozedUntil: event.data.until };
    case 'CaseResolved':
      return { ...state, closed: true, snoozedUntil: null };
    case 'CaseReopened':
      return { ...state, closed: false };
    case 'InvestigationStepCompleted':
    case 'ChatMessagePosted':
      return state;
  }
}

function withInvestigation(state: CaseState, id: string, inv: InvestigationState): CaseState {
  return { ...state, investigations: { ...state.investigations, [id]: inv } };
}
