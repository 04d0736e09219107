import { TarkaError } from '../../shared/errors.js';
import type { IncidentEvent } from '../../events/incident-events.js';
import type { IncidentCommand } from './commands.js';
import { memberOf, type IncidentState } from './state.js';

/**
 * What a command means for an incident. Pure; an empty list is "nothing new" (a redelivered
 * alert, a second replica, a repeated click).
 */
export function decideIncident(c: IncidentCommand, s: IncidentState): IncidentEvent[] {
  switch (c.type) {
    case 'JoinIncident': {
      // A merged incident takes no one in (the caller follows mergedInto); a person's split sticks.
      if (s.mergedInto) return [];
      const m = memberOf(s, c.caseId);
      // A member fires again (a new episode): back in, and a resolved incident opens again.
      if (m && m.status !== 'resolved') return [];
      const joined: IncidentEvent = {
        type: 'CaseJoinedIncident',
        data: { caseId: c.caseId, alertname: c.alertname, reason: c.reason, startsAt: c.startsAt },
      };
      if (s.exists) return [joined];
      return [
        {
          type: 'IncidentOpened',
          data: {
            incidentId: c.incidentId,
            key: c.key,
            windowStart: c.windowStart,
            firstAlertAt: c.startsAt,
            alertname: c.alertname,
            namespace: c.namespace,
          },
        },
        joined,
      ];
    }
    case 'ChooseInvestigation': {
      requireIncident(s);
      const held = s.chosen[c.cause];
      if (held && (c.replacing === undefined || held.investigationId !== c.replacing)) return [];
      const m = memberOf(s, c.caseId);
      if (!m || m.status === 'split') return [];
      return [
        {
          type: 'IncidentInvestigationChosen',
          data: { cause: c.cause, caseId: c.caseId, investigationId: c.investigationId },
        },
      ];
    }
    case 'SplitCase': {
      requireIncident(s);
      const m = memberOf(s, c.caseId);
      if (!m)
        throw new TarkaError(
          'TARKA_NOT_FOUND',
          'that case is not a member of this incident',
          'see GET /api/incidents/:id',
        );
      if (m.status === 'split') return [];
      return [
        { type: 'CaseSplitFromIncident', data: { caseId: c.caseId, by: c.by, note: c.note, at: c.at } },
      ];
    }
    case 'AbsorbIncidents': {
      requireIncident(s);
      if (s.mergedInto)
        throw new TarkaError(
          'TARKA_BAD_REQUEST',
          `this incident was merged into ${s.mergedInto}`,
          'merge into that one',
        );
      const fresh = c.from.filter((f) => f.incidentId !== c.into && !s.mergedFrom.includes(f.incidentId));
      if (fresh.length === 0) return [];
      const members = fresh.flatMap((f) =>
        f.members.filter((m) => !memberOf(s, m.caseId)).map((m) => ({ ...m, from: f.incidentId })),
      );
      return [
        {
          type: 'IncidentsMerged',
          data: {
            into: c.into,
            from: fresh.map((f) => f.incidentId),
            by: c.by,
            note: c.note,
            at: c.at,
            members,
          },
        },
      ];
    }
    case 'MergeInto': {
      requireIncident(s);
      if (c.into === c.self)
        throw new TarkaError('TARKA_BAD_REQUEST', 'an incident cannot be merged into itself');
      if (s.mergedInto === c.into) return [];
      if (s.mergedInto)
        throw new TarkaError(
          'TARKA_BAD_REQUEST',
          `incident ${c.self} was already merged into ${s.mergedInto}`,
        );
      return [
        {
          type: 'IncidentsMerged',
          data: { into: c.into, from: [c.self], by: c.by, note: c.note, at: c.at, members: [] },
        },
      ];
    }
    case 'ResolveMember': {
      const m = memberOf(s, c.caseId);
      if (!s.exists || !m || m.status !== 'active') return [];
      const out: IncidentEvent[] = [{ type: 'IncidentMemberResolved', data: { caseId: c.caseId, at: c.at } }];
      const othersActive = s.members.some((x) => x.caseId !== c.caseId && x.status === 'active');
      if (!othersActive && !s.resolved && !s.mergedInto)
        out.push({ type: 'IncidentResolved', data: { at: c.at } });
      return out;
    }
  }
}

function requireIncident(s: IncidentState): void {
  if (!s.exists)
    throw new TarkaError('TARKA_NOT_FOUND', 'no such incident', 'list incidents with GET /api/incidents');
}
