// Shapes the analysis passes around, apart from the code that builds them, so the family modules
// can name them without importing the engines (and the engines the modules) in a cycle.

import type { EvidenceItem } from '../collectors/evidence.js';
import type { BlastRadius, Changes } from '../contract/report.js';
import type { Family } from '../contract/taxonomy.js';
import type { AlertInput, Window } from './alert.js';
import type { LogAnalysis } from './logs.js';
import type { Target } from './target.js';

export interface FamilyDecision {
  family: Family;
  /** Finer cause inside the family, e.g. `image_pull` for pod_not_healthy. */
  subReason: string | null;
  /** Which label, name, expression or evidence decided it, in order of application. */
  reasons: string[];
}

export interface FinalFamily extends FamilyDecision {
  preliminary: Family;
}

/** Everything a hypothesis rule may read. */
export interface Ctx {
  alert: AlertInput;
  window: Window;
  now: string;
  evidence: readonly EvidenceItem[];
  family: FinalFamily;
  target: Target;
  logs: { analysis: LogAnalysis; namespaceWide: boolean };
  changes: Changes;
  blast: BlastRadius;
}
