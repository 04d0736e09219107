import type { Citation } from '../../events/chat-events.js';
import type { ToolOutput } from '../types.js';

/** A tool that did not answer, said plainly (never a guess in its place). */
export function unavailable(what: string, out: ToolOutput): string {
  const why = out.code ? ` (${out.code})` : '';
  switch (out.status) {
    case 'denied':
      return `I may not read ${what}: ${out.summary}${why}.`;
    case 'limited':
      return `I stopped before reading ${what}: ${out.summary}${why}.`;
    case 'empty':
      return `Nothing found for ${what}.`;
    default:
      return `I could not read ${what}: ${out.summary}${why}. I will not guess instead.`;
  }
}

export const ok = (out: ToolOutput) => out.status === 'ok';

/** Citations of several tool outputs, without repeats. */
export function citationsOf(...outs: ToolOutput[]): Citation[] {
  const seen = new Set<string>();
  const all: Citation[] = [];
  for (const c of outs.flatMap((o) => o.citations)) {
    const key = `${c.kind}:${c.ref}:${c.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    all.push(c);
  }
  return all.slice(0, 30);
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A number for people: at most 4 significant digits. */
export function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return Number(v.toPrecision(4)).toString();
}

/** `{a="x", b="y"}` for a series' labels (text only: the console shows it as text). */
export function labelText(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '{}';
  return `{${entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`;
}
