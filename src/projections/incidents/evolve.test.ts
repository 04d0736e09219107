import { describe, expect, it } from 'vitest';
import type { Recorded } from '../../events/envelope.js';
import { evolveIncidentRows, type IncidentRows } from './evolve.js';

const T = '2026-12-06T06:00:00.000Z';
let n = 0;
const ev = (aggregate: string, seq: number, index: number, type: string, data: object) =>
  ({
    id: `e${n++}`,
    type,
    schema: 1,
    aggregate,
    occurredAt: T,
    causationId: null,
    correlationId: null,
    data,
    seq,
    index,
  }) as Recorded;
const A = 'incident.inc-aaaaaaaa';
const opened = ev(A, 5, 0, 'IncidentOpened', {
  incidentId: 'inc-aaaaaaaa',
  key: { kind: 'rollout', value: 'shop/Deployment/api@7c9f' },
  windowStart: T,
  firstAlertAt: T,
  alertname: 'A',
  namespace: 'shop',
});
const joined = (caseId: string, seq: number, index = 0, kind = 'same_rollout') =>
  ev(A, seq, index, 'CaseJoinedIncident', {
    caseId,
    alertname: 'A',
    reason: { kind, detail: 'api' },
    startsAt: T,
  });
const fresh = (): IncidentRows => ({ incidents: new Map(), members: new Map() });
const apply = (rows: IncidentRows, ...events: Recorded[]) =>
  events.forEach((e) => evolveIncidentRows(rows, e));

describe('incidents read model', () => {
  it('counts the opener, whose join shares the IncidentOpened message', () => {
    const rows = fresh();
    apply(rows, opened, joined('a', 5, 1), joined('b', 6, 0, 'same_alert'));
    expect(rows.incidents.get('inc-aaaaaaaa')).toMatchObject({
      member_count: 2,
      reasons: { same_rollout: 1, same_alert: 1 },
      last_seq: 6,
    });
  });
  it('a message already in the stored rows changes nothing (a replayed batch)', () => {
    const rows = fresh();
    apply(rows, opened, joined('a', 5, 1), joined('b', 6));
    const stored: IncidentRows = { incidents: rows.incidents, members: rows.members }; // as read back
    expect(evolveIncidentRows(stored, joined('a', 5, 1))).toEqual([]);
    expect(evolveIncidentRows(stored, joined('b', 6))).toEqual([]);
  });
  it('a split member stops counting; a merged-away incident says where it went', () => {
    const rows = fresh();
    apply(
      rows,
      opened,
      joined('a', 5, 1),
      joined('b', 6),
      ev(A, 7, 0, 'CaseSplitFromIncident', { caseId: 'b', by: 'ana', note: 'no', at: T }),
    );
    expect(rows.incidents.get('inc-aaaaaaaa')!.member_count).toBe(1);
    expect(rows.members.get('inc-aaaaaaaa:b')).toMatchObject({
      status: 'split',
      split_by: 'ana',
      split_note: 'no',
    });
    apply(
      rows,
      ev(A, 8, 0, 'IncidentsMerged', {
        into: 'inc-bbbbbbbb',
        from: ['inc-aaaaaaaa'],
        by: 'ana',
        note: null,
        at: T,
        members: [],
      }),
    );
    expect(rows.incidents.get('inc-aaaaaaaa')).toMatchObject({
      status: 'merged',
      merged_into: 'inc-bbbbbbbb',
    });
  });
});
