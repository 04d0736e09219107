import { TarkaError } from '../../shared/errors.js';
import type { CaseEvent } from '../../events/case-events.js';
import type { CaseCommand } from './commands.js';
import type { RequestSource } from '../../events/auth-events.js';
import { investigation, type CaseState } from './state.js';

/**
 * Decides what a command means for a case. Pure: the same state and command always give the same
 * events. An empty list means "nothing new" (a resend, a stale notification, an idempotent repeat).
 */
export function decide(command: CaseCommand, state: CaseState): CaseEvent[] {
  switch (command.type) {
    case 'ReceiveAlert':
      return receiveAlert(command, state);
    case 'RequestInvestigation':
      requireCase(state);
      // The same request again (a retried click with its Idempotency-Key): nothing new.
      if (investigation(state, command.investigationId)) return [];
      if (command.bound) checkRerunBound(state, command.bound);
      return [
        {
          type: 'InvestigationRequested',
          data: {
            investigationId: command.investigationId,
            episode: state.episode,
            reason: 'rerun',
            anchor: state.episodeStartsAt!,
            requestedBy: command.by,
            ...(command.bound ? { requestedAt: command.bound.now } : {}),
            ...withSource(command.source),
            ...(command.windowMinutes ? { windowMinutes: command.windowMinutes } : {}),
          },
        },
      ];
    case 'SnoozeCase':
      requireCase(state);
      if (Date.parse(command.until) <= Date.parse(command.now)) {
        throw new TarkaError(
          'TARKA_BAD_REQUEST',
          'snooze must end in the future',
          'pick a later time or a positive duration',
        );
      }
      if (state.closed)
        throw new TarkaError('TARKA_BAD_REQUEST', 'the case is closed', 'reopen it before snoozing');
      return [
        {
          type: 'CaseSnoozed',
          data: { until: command.until, by: command.by, note: command.note, ...withSource(command.source) },
        },
      ];
    case 'ResolveCase':
      requireCase(state);
      if (state.closed) return [];
      return [
        {
          type: 'CaseResolved',
          data: {
            category: command.category,
            note: command.note,
            by: command.by,
            ...withSource(command.source),
          },
        },
      ];
    case 'ReopenCase':
      requireCase(state);
      if (!state.closed) return [];
      return [
        { type: 'CaseReopened', data: { by: command.by, note: command.note, ...withSource(command.source) } },
      ];
    case 'StartInvestigation': {
      // A redelivered job may start again (the first worker died); a finished one never restarts.
      const inv = openInvestigation(state, command.investigationId);
      if (!inv) return [];
      return [
        {
          type: 'InvestigationStarted',
          data: {
            investigationId: command.investigationId,
            worker: command.worker,
            attempt: command.attempt,
          },
        },
      ];
    }
    case 'RecordInvestigationStep': {
      if (!openInvestigation(state, command.investigationId)) return [];
      const { type: _t, ...data } = command;
      return [{ type: 'InvestigationStepCompleted', data }];
    }
    case 'CompleteInvestigation':
      if (!openInvestigation(state, command.investigationId)) return [];
      return [
        {
          type: 'InvestigationCompleted',
          data: { investigationId: command.investigationId, anchor: command.anchor, report: command.report },
        },
      ];
    case 'FailInvestigation':
      if (!openInvestigation(state, command.investigationId)) return [];
      return [
        {
          type: 'InvestigationFailed',
          data: {
            investigationId: command.investigationId,
            error: command.error,
            final: command.final,
            attempts: command.attempts,
          },
        },
      ];
    case 'ReviseReport': {
      // Only the next version of a finished investigation's report; a repeat or a stale revision
      // (another run got there first) says nothing new.
      const inv = investigation(state, command.investigationId);
      if (inv?.status !== 'completed' || command.version !== (inv.reportVersion ?? 1) + 1) return [];
      const { type: _t, ...data } = command;
      return [{ type: 'ReportRevised', data }];
    }
    case 'SkipInvestigation': {
      // Only a job not yet finished can be covered by another member's investigation.
      if (!openInvestigation(state, command.investigationId)) return [];
      const { type: _t, ...data } = command;
      return [{ type: 'InvestigationSkipped', data }];
    }
    case 'RecordEnrichment':
      // A narrative belongs to a completed investigation, once (the command id absorbs a resend).
      if (investigation(state, command.enrichment.investigationId)?.status !== 'completed') return [];
      return [{ type: 'InvestigationEnriched', data: command.enrichment }];
  }
}

/** The investigation if it was requested and has not finished; finished ones accept nothing more. */
function openInvestigation(state: CaseState, id: string) {
  const inv = investigation(state, id);
  return inv && (inv.status === 'requested' || inv.status === 'running') ? inv : undefined;
}

const HOUR_MS = 3_600_000;

/**
 * A rerun costs every evidence source a round of queries: one at a time per case (another while
 * one is queued or running only repeats it), and at most `perHour` in any hour.
 */
function checkRerunBound(state: CaseState, bound: { now: string; perHour: number }): void {
  if (state.investigations.some((i) => i.status === 'requested' || i.status === 'running')) {
    throw new TarkaError(
      'TARKA_RERUN_LIMITED',
      'an investigation of this case is already queued or running',
      'wait for it to finish (the case page shows its steps), then ask again',
    );
  }
  const now = Date.parse(bound.now);
  const recent = state.rerunTimes.filter((t) => now - Date.parse(t) < HOUR_MS);
  if (recent.length >= bound.perHour) {
    const retry = new Date(Date.parse(recent.at(-bound.perHour)!) + HOUR_MS).toISOString();
    throw new TarkaError(
      'TARKA_RERUN_LIMITED',
      `this case was investigated again ${recent.length} times in the last hour (limit ${bound.perHour})`,
      `try again after ${retry}, or raise INVESTIGATION_RERUNS_PER_HOUR`,
    );
  }
}

function requireCase(state: CaseState): void {
  if (!state.exists)
    throw new TarkaError('TARKA_NOT_FOUND', 'no such case', 'list cases with GET /api/cases');
}

function receiveAlert(
  command: Extract<CaseCommand, { type: 'ReceiveAlert' }>,
  state: CaseState,
): CaseEvent[] {
  const { alert, notification } = command;
  const startMs = Date.parse(alert.startsAt);
  // A known start in the future (stored before ingest checked clocks) is not an episode to keep:
  // a real firing that starts before it is new, not a late delivery.
  const knownIsFuture =
    state.episodeStartMs !== null &&
    command.credibleUntil !== undefined &&
    state.episodeStartMs > Date.parse(command.credibleUntil);
  // Same episode (resend, HA duplicate) or an older one (late delivery): nothing new to say,
  // except that a firing episode we know has now resolved.
  if (
    state.episodeStartMs !== null &&
    (startMs === state.episodeStartMs || (startMs < state.episodeStartMs && !knownIsFuture))
  ) {
    const sameEpisode = startMs === state.episodeStartMs;
    if (sameEpisode && alert.status === 'resolved' && state.alertStatus === 'firing') {
      return [resolvedEvent(alert, state.episode)];
    }
    return [];
  }
  const episode = state.episode + 1;
  const fired: CaseEvent = {
    type: 'AlertFired',
    data: {
      fingerprint: alert.fingerprint,
      episode,
      startsAt: alert.startsAt,
      labels: alert.labels,
      annotations: alert.annotations,
      generatorURL: alert.generatorURL,
      notification,
    },
  };
  if (alert.status === 'resolved') {
    // We only learn of this episode after it ended: record it, but there is nothing to triage.
    return [fired, resolvedEvent(alert, episode)];
  }
  return [
    fired,
    {
      type: 'InvestigationRequested',
      data: {
        investigationId: command.investigationId,
        episode,
        reason: 'new_episode',
        anchor: alert.startsAt,
        requestedBy: null,
      },
    },
  ];
}

function resolvedEvent(
  alert: { fingerprint: string; startsAt: string; endsAt: string | null },
  episode: number,
): CaseEvent {
  return {
    type: 'AlertResolved',
    data: {
      fingerprint: alert.fingerprint,
      episode,
      startsAt: alert.startsAt,
      endsAt: alert.endsAt ?? alert.startsAt,
    },
  };
}

/** A person's action carries where it came from; commands from the system carry nothing. */
function withSource(source: RequestSource | undefined): { source?: RequestSource } {
  return source ? { source } : {};
}
