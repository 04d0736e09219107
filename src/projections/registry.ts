import { casesProjection } from './cases/projection.js';
import type { Projection } from './engine/projection.js';
import { memoryProjection } from './memory/projection.js';

/** Every rebuildable read model, in the order `tarka replay` rebuilds them. */
export const readModels: Projection[] = [casesProjection, memoryProjection];
