import type { RequestSource } from '../../events/auth-events.js';
import type { Recorded } from '../../events/envelope.js';
import type { AuditRow } from './schema.js';

type Parts = {
  actor: string | null;
  target: string | null;
  source: RequestSource | null | undefined;
  detail: Record<string, unknown>;
};

/** What one event contributes to the audit trail (pure), or null when it is not audited. */
export function auditParts(e: Recorded): Parts | null {
  switch (e.type) {
    case 'SignedIn':
      return {
        actor: e.data.email,
        target: e.data.email,
        source: e.data.source,
        detail: { method: e.data.method, role: e.data.role },
      };
    case 'SignInFailed':
      return {
        actor: e.data.email,
        target: e.data.email,
        source: e.data.source,
        detail: { method: e.data.method, reason: e.data.reason },
      };
    case 'SignedOut':
      return {
        actor: e.data.email,
        target: e.data.email,
        source: e.data.source,
        detail: { everywhere: e.data.everywhere, sessions: e.data.sessions },
      };
    case 'SessionRevoked':
      return {
        actor: e.data.by,
        target: e.data.email,
        source: e.data.source,
        detail: { reason: e.data.reason, sessions: e.data.sessions },
      };
    case 'TokenCreated':
      return {
        actor: e.data.by,
        target: e.data.tokenId,
        source: e.data.source,
        detail: { name: e.data.name, role: e.data.role, expiresAt: e.data.expiresAt },
      };
    case 'TokenRevoked':
      return { actor: e.data.by, target: e.data.tokenId, source: e.data.source, detail: {} };
    case 'UserAdded':
      return {
        actor: e.data.by,
        target: e.data.email,
        source: e.data.source,
        detail: { role: e.data.role, origin: e.data.origin },
      };
    case 'UserRoleChanged':
      return {
        actor: e.data.by,
        target: e.data.userId,
        source: e.data.source,
        detail: { role: e.data.role, previous: e.data.previous },
      };
    case 'UserDisabled':
    case 'UserEnabled':
    case 'UserPasswordReset':
      return { actor: e.data.by, target: e.data.userId, source: e.data.source, detail: {} };
    case 'CaseSnoozed':
      return {
        actor: e.data.by,
        target: caseOf(e),
        source: e.data.source,
        detail: { until: e.data.until, note: e.data.note },
      };
    case 'CaseResolved':
      return {
        actor: e.data.by,
        target: caseOf(e),
        source: e.data.source,
        detail: { category: e.data.category, note: e.data.note },
      };
    case 'CaseReopened':
      return { actor: e.data.by, target: caseOf(e), source: e.data.source, detail: { note: e.data.note } };
    case 'InvestigationRequested':
      // Only a person's rerun; a new episode is the alert's doing.
      if (e.data.reason !== 'rerun') return null;
      return {
        actor: e.data.requestedBy,
        target: caseOf(e),
        source: e.data.source,
        detail: { investigationId: e.data.investigationId },
      };
    default:
      return null;
  }
}

const caseOf = (e: Recorded) => e.aggregate.slice(e.aggregate.indexOf('.') + 1);

export function auditRow(e: Recorded): AuditRow | null {
  const p = auditParts(e);
  if (!p) return null;
  return {
    seq: e.seq,
    idx: e.index,
    aggregate: e.aggregate,
    at: e.occurredAt,
    type: e.type,
    actor: p.actor,
    target: p.target,
    ip: p.source?.ip ?? null,
    user_agent: p.source?.userAgent ?? null,
    detail: p.detail,
  };
}
