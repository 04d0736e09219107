import { casesProjection } from './cases/projection.js';
import { chatProjection } from './chat/projection.js';
import type { Projection } from './engine/projection.js';
import { usersProjection } from './users/projection.js';
import { auditProjection } from './audit/projection.js';
import { memoryProjection } from './memory/projection.js';
import { reportsProjection } from './case-reports/projection.js';
import { llmUsageProjection } from './llm-usage/projection.js';
import { incidentsProjection } from './incidents/projection.js';

/** Every rebuildable read model, in the order `tarka replay` rebuilds them. */
export const readModels: Projection[] = [
  casesProjection,
  reportsProjection,
  memoryProjection,
  usersProjection,
  auditProjection,
  chatProjection,
  llmUsageProjection,
  incidentsProjection,
];
