import type { Intent, IntentMatch, Scope } from '../types.js';
import { changesIntent } from './changes.js';
import { countsIntent } from './counts.js';
import { evidenceIntent } from './evidence.js';
import { firingIntent } from './firing.js';
import { kubernetesIntent } from './kubernetes.js';
import { logsIntent } from './logs.js';
import { lookupIntent } from './lookup.js';
import { noisyIntent } from './noisy.js';
import { promqlIntent } from './promql.js';
import { rerunIntent } from './rerun.js';
import { similarIntent } from './similar.js';
import { summaryIntent } from './summary.js';
import { trendsIntent } from './trends.js';
import { whyIntent } from './why.js';

/** In order of precedence: on equal scores the earlier intent wins. */
export const intents: readonly Intent<unknown>[] = [
  promqlIntent,
  rerunIntent,
  evidenceIntent,
  whyIntent,
  similarIntent,
  changesIntent,
  logsIntent,
  kubernetesIntent,
  summaryIntent,
  noisyIntent,
  trendsIntent,
  firingIntent,
  countsIntent,
  lookupIntent,
] as readonly Intent<unknown>[];

export interface Recognised {
  intent: Intent<unknown>;
  match: IntentMatch<unknown>;
}

/** The intent a question asks for in this thread, or null: the best score wins, ties by order. */
export function recognise(text: string, scope: Scope): Recognised | null {
  let best: Recognised | null = null;
  for (const intent of intents) {
    if (!intent.scopes.includes(scope)) continue;
    const match = intent.match(text, scope);
    if (match && (!best || match.score > best.match.score)) best = { intent, match };
  }
  return best;
}

/** The answer to a question no intent recognised: what this chat can do, never a guess. */
export function helpText(scope: Scope): string {
  const lines = [
    `I did not recognise that question, and I answer only from data I can read. In this ${scope === 'case' ? 'case' : 'inbox'} thread I can:`,
  ];
  for (const i of intents) if (i.scopes.includes(scope)) lines.push(`- ${i.help}`);
  return lines.join('\n');
}
