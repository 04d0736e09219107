import type { z } from 'zod';
import type { CaseEventOf, notificationSchema } from '../../events/case-events.js';
import type { RecordedReport } from '../../contract/report.js';
import type { RequestSource } from '../../events/auth-events.js';

export interface Alert {
  fingerprint: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  /** null when Alertmanager sent the zero time (unset). */
  endsAt: string | null;
  generatorURL: string | null;
}

export type Notification = z.infer<typeof notificationSchema>;

export type CaseCommand =
  | {
      type: 'ReceiveAlert';
      alert: Alert;
      notification: Notification;
      investigationId: string;
      /**
       * The latest episode start that can be real when the command is made (receiver's clock plus
       * the allowed skew). A known start later than this was forged or came from a broken clock,
       * and must not make real firings look old.
       */
      credibleUntil?: string;
    }
  | {
      type: 'RequestInvestigation';
      investigationId: string;
      by: string | null;
      /** A person's rerun: refused while one is in progress or past `perHour` in the last hour. */
      bound?: { now: string; perHour: number };
      source?: RequestSource;
      /** Evidence window in minutes each side of the anchor, instead of TIME_WINDOW (chat reruns). */
      windowMinutes?: number;
    }
  | {
      type: 'SnoozeCase';
      until: string;
      now: string;
      by: string | null;
      note: string | null;
      source?: RequestSource;
    }
  | { type: 'ResolveCase'; category: string; note: string | null; by: string | null; source?: RequestSource }
  | { type: 'ReopenCase'; by: string | null; note: string | null; source?: RequestSource }
  | { type: 'StartInvestigation'; investigationId: string; worker: string; attempt: number }
  | ({ type: 'RecordInvestigationStep' } & CaseEventOf<'InvestigationStepCompleted'>['data'])
  | { type: 'CompleteInvestigation'; investigationId: string; anchor: string; report: RecordedReport }
  | { type: 'FailInvestigation'; investigationId: string; error: string; final: boolean; attempts: number }
  | ({ type: 'SkipInvestigation' } & CaseEventOf<'InvestigationSkipped'>['data'])
  | ({ type: 'ReviseReport' } & CaseEventOf<'ReportRevised'>['data'])
  | { type: 'RecordEnrichment'; enrichment: CaseEventOf<'InvestigationEnriched'>['data'] };
