import type { MemoryFeature } from '../contract/report.js';

// How much each shared feature counts toward a match's score (0–100). Workload first: the same
// thing breaking again is the strongest hint; an alert name or family alone is weak.
export const WEIGHTS: Readonly<Record<MemoryFeature, number>> = {
  same_workload: 30,
  same_service: 10,
  same_alert: 15,
  same_family: 10,
  same_log_signature: 15,
  similar_logs: 10,
  same_change_pattern: 5,
  similar_summary: 5,
};

/** Below this score a past episode shares too little to be worth showing. */
export const MIN_SCORE = 30;

/** Text similarity (0–1) under which logs or summaries do not count as similar. */
export const MIN_TEXT_SIMILARITY = 0.3;
