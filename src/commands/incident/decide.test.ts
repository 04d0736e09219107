import { describe, expect, it } from 'vitest';
import type { IncidentEvent } from '../../events/incident-events.js';
import type { IncidentCommand } from './commands.js';
import { decideIncident } from './decide.js';
import { evolveIncident, initialIncident } from './state.js';

const T = '2026-12-06T06:00:00.000Z';
const join = (caseId: string, alertname = 'KubePodCrashLooping'): IncidentCommand => ({
  type: 'JoinIncident',
  incidentId: 'inc-aaaaaaaa',
  key: { kind: 'rollout', value: 'shop/Deployment/api@7c9f' },
  windowStart: T,
  caseId,
  alertname,
  namespace: 'shop',
  startsAt: T,
  reason: { kind: 'same_rollout', detail: 'Deployment shop/api, revision 7c9f' },
});
/** Runs commands in order, each on the state the previous ones left; returns every event. */
function run(...commands: IncidentCommand[]) {
  let s = initialIncident();
  const all: IncidentEvent[][] = [];
  for (const c of commands) {
    const events = decideIncident(c, s);
    all.push(events);
    s = events.reduce(evolveIncident, s);
  }
  return { state: s, types: all.map((es) => es.map((e) => e.type)) };
}

describe('incident decider', () => {
  it('opens with its first member, then takes each case once (a redelivery is nothing new)', () => {
    const r = run(join('a'), join('b'), join('a'));
    expect(r.types).toEqual([['IncidentOpened', 'CaseJoinedIncident'], ['CaseJoinedIncident'], []]);
    expect(r.state.members.map((m) => m.caseId)).toEqual(['a', 'b']);
  });
  it('chooses one investigation per cause; later members of that cause are covered', () => {
    const choose = (caseId: string, cause = 'KubePodCrashLooping'): IncidentCommand => ({
      type: 'ChooseInvestigation',
      cause,
      caseId,
      investigationId: `inv-${caseId}`,
    });
    const r = run(
      join('a'),
      join('b'),
      join('c', 'TargetDown'),
      choose('a'),
      choose('b'),
      choose('c', 'TargetDown'),
    );
    expect(r.types.slice(3)).toEqual([['IncidentInvestigationChosen'], [], ['IncidentInvestigationChosen']]);
    expect(r.state.chosen).toEqual({
      KubePodCrashLooping: { caseId: 'a', investigationId: 'inv-a' },
      TargetDown: { caseId: 'c', investigationId: 'inv-c' },
    });
  });
  it('hands the cause to another member only when the chosen investigation is named as replaced', () => {
    const choose = (caseId: string, replacing?: string): IncidentCommand => ({
      type: 'ChooseInvestigation',
      cause: 'A',
      caseId,
      investigationId: `inv-${caseId}`,
      ...(replacing ? { replacing } : {}),
    });
    const r = run(
      join('a', 'A'),
      join('b', 'A'),
      join('c', 'A'),
      choose('a'),
      choose('b', 'inv-zzz'),
      choose('b', 'inv-a'),
      choose('c', 'inv-a'),
    );
    expect(r.types.slice(3)).toEqual([
      ['IncidentInvestigationChosen'],
      [],
      ['IncidentInvestigationChosen'],
      [],
    ]);
    expect(r.state.chosen.A).toEqual({ caseId: 'b', investigationId: 'inv-b' });
  });
  it('a split by a person sticks: the case does not rejoin, and splitting again changes nothing', () => {
    const split: IncidentCommand = { type: 'SplitCase', caseId: 'b', by: 'ana', note: 'unrelated', at: T };
    const r = run(join('a'), join('b'), split, join('b'), split);
    expect(r.types.slice(2)).toEqual([['CaseSplitFromIncident'], [], []]);
    expect(() => run(join('a'), { ...split, caseId: 'zzz' })).toThrow(
      expect.objectContaining({ code: 'TARKA_NOT_FOUND' }),
    );
  });
  it('resolves with its last active member', () => {
    const resolve = (caseId: string): IncidentCommand => ({ type: 'ResolveMember', caseId, at: T });
    const r = run(join('a'), join('b'), resolve('a'), resolve('a'), resolve('b'));
    expect(r.types.slice(2)).toEqual([
      ['IncidentMemberResolved'],
      [],
      ['IncidentMemberResolved', 'IncidentResolved'],
    ]);
    expect(r.state.resolved).toBe(true);
  });
  it('a member firing again reopens a resolved incident, whose causes are then investigated afresh', () => {
    const r = run(
      join('a'),
      { type: 'ChooseInvestigation', cause: 'KubePodCrashLooping', caseId: 'a', investigationId: 'inv-1' },
      { type: 'ResolveMember', caseId: 'a', at: T },
      join('a'),
      join('a'),
    );
    expect(r.types.slice(3)).toEqual([['CaseJoinedIncident'], []]);
    expect(r.state).toMatchObject({ resolved: false, chosen: {} });
  });
  it('a merged-away incident takes no one in; absorbing the same incident twice adds nothing', () => {
    const away = run(join('a'), {
      type: 'MergeInto',
      into: 'inc-bbbbbbbb',
      self: 'inc-aaaaaaaa',
      by: 'ana',
      note: null,
      at: T,
    });
    expect(away.state.mergedInto).toBe('inc-bbbbbbbb');
    expect(decideIncident(join('z'), away.state)).toEqual([]);
    const absorb: IncidentCommand = {
      type: 'AbsorbIncidents',
      into: 'inc-aaaaaaaa',
      from: [{ incidentId: 'inc-cccccccc', members: [{ caseId: 'x', alertname: 'A' }] }],
      by: 'ana',
      note: 'same config',
      at: T,
    };
    const r = run(join('a'), absorb, absorb);
    expect(r.types.slice(1)).toEqual([['IncidentsMerged'], []]);
    expect(r.state.members.map((m) => m.caseId)).toEqual(['a', 'x']);
  });
});
