import type { CaseEventOf } from '../events/case-events.js';

// What an investigation records: its steps and its report. Apart from investigate.ts so that
// bounds.ts, which cuts both to size, does not import the module that calls it.

/** The fields of a report the rest of the system relies on; the full shape is the analysis' schema. */
export interface InvestigationReport {
  family: string;
  summary: string;
  classification: string;
  [k: string]: unknown;
}

/** A finished step, as its InvestigationStepCompleted event will carry it. */
export type Step = Omit<CaseEventOf<'InvestigationStepCompleted'>['data'], 'investigationId'>;
