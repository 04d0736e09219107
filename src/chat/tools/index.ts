import type { ChatTool } from '../types.js';
import { caseReportTool } from './case-report.js';
import { caseLookupTool, firingForTool, inboxCountsTool, topNoisyTool, trendsTool } from './inbox.js';
import { k8sEventsTool, k8sPodTool, k8sRolloutTool, logsTailTool } from './kubernetes.js';
import { promqlTool } from './promql.js';
import { rerunTool } from './rerun.js';
import { similarTool } from './similar.js';

/** Every chat tool, by name: what intents call, and what an LLM is offered. */
export const chatTools: readonly ChatTool<never>[] = [
  caseReportTool,
  promqlTool,
  k8sPodTool,
  k8sRolloutTool,
  k8sEventsTool,
  logsTailTool,
  similarTool,
  rerunTool,
  inboxCountsTool,
  topNoisyTool,
  firingForTool,
  trendsTool,
  caseLookupTool,
] as unknown as readonly ChatTool<never>[];

export const toolByName = (name: string) => chatTools.find((t) => t.name === name);
