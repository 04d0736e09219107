import { describe, expect, it } from 'vitest';
import type { CaseEvent } from '../../events/case-events.js';
import type { Alert, CaseCommand } from './commands.js';
import { decide } from './decide.js';
import { evolve, initialState } from './state.js';

// given / when / then over the pure decider.
function given(...history: CaseEvent[]) {
  const state = history.reduce(evolve, initialState());
  return {
    when: (command: CaseCommand) => ({
      then: (expected: { type: CaseEvent['type']; data?: Record<string, unknown> }[]) => {
        const events = decide(command, state);
        expect(events.map((e) => e.type)).toEqual(expected.map((e) => e.type));
        expected.forEach((e, i) => e.data && expect(events[i]!.data).toMatchObject(e.data));
      },
      thenNothing: () => expect(decide(command, state)).toEqual([]),
      thenThrows: (code: string) =>
        expect(() => decide(command, state)).toThrow(expect.objectContaining({ code })),
    }),
  };
}

const T0 = '2026-11-26T10:00:00Z';
const T1 = '2026-11-26T11:00:00Z';
const alert = (over: Partial<Alert> = {}): Alert => ({
  fingerprint: 'abc123',
  status: 'firing',
  labels: { alertname: 'KubePodCrashLooping', namespace: 'shop' },
  annotations: { summary: 's' },
  startsAt: T0,
  endsAt: null,
  generatorURL: null,
  ...over,
});
const notification = { receiver: 'tarka', groupKey: '{}:{}', truncatedAlerts: 0, reason: null };
const receive = (a: Partial<Alert> = {}, investigationId = 'inv-1'): CaseCommand => ({
  type: 'ReceiveAlert',
  alert: alert(a),
  notification,
  investigationId,
});
const fired = (episode: number, startsAt = T0): CaseEvent => ({
  type: 'AlertFired',
  data: {
    fingerprint: 'abc123',
    episode,
    startsAt,
    labels: {},
    annotations: {},
    generatorURL: null,
    notification,
  },
});
const requested = (episode: number, id = 'inv-1'): CaseEvent => ({
  type: 'InvestigationRequested',
  data: { investigationId: id, episode, reason: 'new_episode', anchor: T0, requestedBy: null },
});
const resolved = (episode: number, startsAt = T0): CaseEvent => ({
  type: 'AlertResolved',
  data: { fingerprint: 'abc123', episode, startsAt, endsAt: T1 },
});
const closed: CaseEvent = { type: 'CaseResolved', data: { category: 'fixed', note: null, by: null } };

describe('case decider', () => {
  describe('alerts', () => {
    it('opens a case and asks for an investigation when an alert first fires', () =>
      given()
        .when(receive())
        .then([
          { type: 'AlertFired', data: { episode: 1, startsAt: T0 } },
          { type: 'InvestigationRequested', data: { episode: 1, anchor: T0, reason: 'new_episode' } },
        ]));

    describe('a known episode start in the future (stored before ingest checked clocks)', () => {
      const FUTURE = '2027-11-26T10:00:00Z';
      const at = (credibleUntil: string, a: Partial<Alert> = {}): CaseCommand => ({
        type: 'ReceiveAlert',
        alert: alert(a),
        notification,
        investigationId: 'inv-2',
        credibleUntil,
      });

      it('takes a real firing that starts before it as a new episode', () =>
        given(fired(1, FUTURE), requested(1))
          .when(at('2026-11-26T10:05:00Z'))
          .then([
            { type: 'AlertFired', data: { episode: 2, startsAt: T0 } },
            { type: 'InvestigationRequested', data: { episode: 2, investigationId: 'inv-2' } },
          ]));

      it('still reads an earlier start as a late delivery when the known start is credible', () =>
        given(fired(1, T1), requested(1)).when(at('2026-11-26T11:05:00Z')).thenNothing());

      it('without the receiver’s clock (older callers) keeps the old reading', () =>
        given(fired(1, FUTURE), requested(1)).when(receive({}, 'inv-2')).thenNothing());

      it('treats a resend of the same start as the same episode', () =>
        given(fired(1, FUTURE), requested(1))
          .when(at('2026-11-26T10:05:00Z', { startsAt: FUTURE }))
          .thenNothing());
    });

    it('ignores a resend of the firing episode it already knows', () =>
      given(fired(1), requested(1)).when(receive()).thenNothing());

    it('treats the same instant written with other precision as the same episode', () =>
      given(fired(1), requested(1))
        .when(receive({ startsAt: '2026-11-26T10:00:00.000000000Z' }))
        .thenNothing());

    it('resolves the current episode once', () => {
      given(fired(1), requested(1))
        .when(receive({ status: 'resolved', endsAt: T1 }))
        .then([{ type: 'AlertResolved', data: { episode: 1, endsAt: T1 } }]);
      given(fired(1), requested(1), resolved(1))
        .when(receive({ status: 'resolved', endsAt: T1 }))
        .thenNothing();
    });

    it('ignores a late firing resend of an episode that has already resolved', () =>
      given(fired(1), requested(1), resolved(1)).when(receive()).thenNothing());

    it('opens a new episode and investigates again when the alert fires after resolving', () =>
      given(fired(1), requested(1), resolved(1))
        .when(receive({ startsAt: T1 }, 'inv-2'))
        .then([
          { type: 'AlertFired', data: { episode: 2, startsAt: T1 } },
          { type: 'InvestigationRequested', data: { episode: 2, investigationId: 'inv-2' } },
        ]));

    it('ignores a notification about an older episode', () =>
      given(fired(1), requested(1), resolved(1), fired(2, T1))
        .when(receive({ status: 'resolved', endsAt: T1 }))
        .thenNothing());

    it('records an episode first seen resolved, without investigating it', () =>
      given()
        .when(receive({ status: 'resolved', endsAt: T1 }))
        .then([{ type: 'AlertFired' }, { type: 'AlertResolved', data: { endsAt: T1 } }]));

    it('uses the start time as the end when a resolved alert carries no end', () =>
      given(fired(1))
        .when(receive({ status: 'resolved', endsAt: null }))
        .then([{ type: 'AlertResolved', data: { endsAt: T0 } }]));

    it('reopens a closed case when its alert fires again', () => {
      const state = [fired(1), requested(1), resolved(1), closed, fired(2, T1)].reduce(
        evolve,
        initialState(),
      );
      expect(state).toMatchObject({ closed: false, alertStatus: 'firing', episode: 2 });
    });
  });

  describe('on-call actions', () => {
    const now = '2026-11-26T12:00:00Z';
    it('snoozes an open case until a future time', () =>
      given(fired(1))
        .when({ type: 'SnoozeCase', until: '2026-11-26T13:00:00Z', now, by: 'ana', note: null })
        .then([{ type: 'CaseSnoozed', data: { until: '2026-11-26T13:00:00Z', by: 'ana' } }]));

    it('refuses a snooze that ends in the past', () =>
      given(fired(1))
        .when({ type: 'SnoozeCase', until: '2026-11-26T11:00:00Z', now, by: null, note: null })
        .thenThrows('TARKA_BAD_REQUEST'));

    it('refuses actions on a case that does not exist', () =>
      given()
        .when({ type: 'ResolveCase', category: 'fixed', note: null, by: null })
        .thenThrows('TARKA_NOT_FOUND'));

    it('closes a case once; closing again changes nothing', () => {
      given(fired(1))
        .when({ type: 'ResolveCase', category: 'fixed', note: 'rolled back', by: 'ana' })
        .then([{ type: 'CaseResolved', data: { category: 'fixed', note: 'rolled back' } }]);
      given(fired(1), closed)
        .when({ type: 'ResolveCase', category: 'fixed', note: null, by: null })
        .thenNothing();
    });

    it('reopens only a closed case', () => {
      given(fired(1), closed)
        .when({ type: 'ReopenCase', by: 'ana', note: null })
        .then([{ type: 'CaseReopened' }]);
      given(fired(1)).when({ type: 'ReopenCase', by: 'ana', note: null }).thenNothing();
    });

    it('asks for a rerun anchored on the current episode start', () =>
      given(fired(1), requested(1), resolved(1), fired(2, T1))
        .when({ type: 'RequestInvestigation', investigationId: 'inv-9', by: 'ana' })
        .then([
          {
            type: 'InvestigationRequested',
            data: { episode: 2, anchor: T1, reason: 'rerun', investigationId: 'inv-9' },
          },
        ]));
  });
});

describe('investigations', () => {
  const start = (attempt = 1): CaseCommand => ({
    type: 'StartInvestigation',
    investigationId: 'inv-1',
    worker: 'w',
    attempt,
  });
  const complete: CaseCommand = {
    type: 'CompleteInvestigation',
    investigationId: 'inv-1',
    anchor: T0,
    report: { family: 'crashloop' },
  };
  const started: CaseEvent = {
    type: 'InvestigationStarted',
    data: { investigationId: 'inv-1', worker: 'w', attempt: 1 },
  };
  const completed: CaseEvent = {
    type: 'InvestigationCompleted',
    data: { investigationId: 'inv-1', anchor: T0, report: {} },
  };

  it('starts a requested investigation, and again on a redelivery after a crash', () => {
    given(fired(1), requested(1))
      .when(start())
      .then([{ type: 'InvestigationStarted', data: { attempt: 1 } }]);
    given(fired(1), requested(1), started)
      .when(start(2))
      .then([{ type: 'InvestigationStarted', data: { attempt: 2 } }]);
  });

  it('completes an investigation once: a duplicate job cannot produce a second report', () => {
    given(fired(1), requested(1), started)
      .when(complete)
      .then([{ type: 'InvestigationCompleted' }]);
    given(fired(1), requested(1), started, completed).when(complete).thenNothing();
    given(fired(1), requested(1), started, completed).when(start(2)).thenNothing();
  });

  it('ignores work for an investigation that was never requested', () => {
    given(fired(1)).when(start()).thenNothing();
  });

  it('records steps only while the investigation is open', () => {
    const step: CaseCommand = {
      type: 'RecordInvestigationStep',
      investigationId: 'inv-1',
      step: 'prometheus',
      status: 'ok',
      startedAt: T0,
      durationMs: 3,
      summary: 'x',
    };
    given(fired(1), requested(1), started)
      .when(step)
      .then([{ type: 'InvestigationStepCompleted', data: { step: 'prometheus' } }]);
    given(fired(1), requested(1), started, completed).when(step).thenNothing();
  });

  it('closes the investigation on a final failure only', () => {
    const fail = (final: boolean): CaseCommand => ({
      type: 'FailInvestigation',
      investigationId: 'inv-1',
      error: 'boom',
      final,
      attempts: 1,
    });
    const failedFinal: CaseEvent = {
      type: 'InvestigationFailed',
      data: { investigationId: 'inv-1', error: 'boom', final: true, attempts: 3 },
    };
    const failedOnce: CaseEvent = {
      type: 'InvestigationFailed',
      data: { investigationId: 'inv-1', error: 'boom', final: false, attempts: 1 },
    };
    given(fired(1), requested(1), started, failedOnce)
      .when(start(2))
      .then([{ type: 'InvestigationStarted' }]);
    given(fired(1), requested(1), started, failedFinal).when(fail(true)).thenNothing();
  });
});

describe('investigate again (rerun limit)', () => {
  const done = (id: string): CaseEvent => ({
    type: 'InvestigationCompleted',
    data: { investigationId: id, anchor: T0, report: {} },
  });
  const rerun = (id: string, at: string): CaseEvent => ({
    type: 'InvestigationRequested',
    data: {
      investigationId: id,
      episode: 1,
      reason: 'rerun',
      anchor: T0,
      requestedBy: 'ana',
      requestedAt: at,
    },
  });
  const ask = (id: string, now: string, perHour = 2): CaseCommand => ({
    type: 'RequestInvestigation',
    investigationId: id,
    by: 'ana',
    bound: { now, perHour },
  });
  const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

  it('refuses a rerun while an investigation of the case is queued or running', () => {
    given(fired(1), requested(1))
      .when(ask('inv-2', at(1)))
      .thenThrows('TARKA_RERUN_LIMITED');
    given(fired(1), requested(1), {
      type: 'InvestigationStarted',
      data: { investigationId: 'inv-1', worker: 'w', attempt: 1 },
    })
      .when(ask('inv-2', at(1)))
      .thenThrows('TARKA_RERUN_LIMITED');
  });

  it('records when it was asked, so the hourly limit can count it', () =>
    given(fired(1), requested(1), done('inv-1'))
      .when(ask('inv-2', at(1)))
      .then([{ type: 'InvestigationRequested', data: { reason: 'rerun', requestedAt: at(1) } }]));

  it('allows at most perHour reruns in any hour, and again once the oldest is an hour old', () => {
    const history = [fired(1), requested(1), done('inv-1'), rerun('r1', at(0)), done('r1')];
    given(...history, rerun('r2', at(10)), done('r2'))
      .when(ask('r3', at(59)))
      .thenThrows('TARKA_RERUN_LIMITED');
    given(...history, rerun('r2', at(10)), done('r2'))
      .when(ask('r3', at(60)))
      .then([{ type: 'InvestigationRequested' }]);
    given(...history)
      .when(ask('r2', at(30)))
      .then([{ type: 'InvestigationRequested' }]);
  });

  it('says when the next rerun is possible', () => {
    const state = [fired(1), requested(1), done('inv-1'), rerun('r1', at(5)), done('r1')].reduce(
      evolve,
      initialState(),
    );
    expect(() => decide(ask('r2', at(20), 1), state)).toThrow(
      expect.objectContaining({ hint: expect.stringContaining(at(65)) }),
    );
  });

  it('treats the same request again (a retried click) as nothing new, even while it runs', () =>
    given(fired(1), requested(1), done('inv-1'), rerun('r1', at(0)))
      .when(ask('r1', at(1)))
      .thenNothing());

  it('applies no limit to requests without a bound (internal tools)', () =>
    given(fired(1), requested(1))
      .when({ type: 'RequestInvestigation', investigationId: 'inv-2', by: null })
      .then([{ type: 'InvestigationRequested' }]));
});
