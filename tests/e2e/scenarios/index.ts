import type { Scenario } from './kit.js';
import { generalScenarios } from './general.js';
import { platformScenarios } from './platform.js';
import { podScenarios } from './pods.js';
import { serviceScenarios } from './services.js';
import { workloadScenarios } from './workloads.js';

/** The whole corpus, one list per area. */
export const SCENARIOS: Scenario[] = [
  ...podScenarios,
  ...serviceScenarios,
  ...workloadScenarios,
  ...platformScenarios,
  ...generalScenarios,
];
