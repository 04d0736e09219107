// Which tone (app.css .tone-*) a value is shown in. Unknown values are quiet, never alarming.

const severity: Record<string, string> = {
  critical: 'bad',
  error: 'bad',
  page: 'bad',
  high: 'bad',
  warning: 'warn',
  warn: 'warn',
  medium: 'warn',
  info: 'info',
  low: 'quiet',
  none: 'quiet',
};

const status: Record<string, string> = {
  firing: 'bad',
  snoozed: 'warn',
  resolved: 'ok',
  closed: 'quiet',
};

const classification: Record<string, string> = {
  actionable: 'bad',
  informational: 'info',
  noisy: 'quiet',
  artifact: 'violet',
};

const step: Record<string, string> = {
  ok: 'ok',
  done: 'ok',
  empty: 'quiet',
  unavailable: 'warn',
  error: 'bad',
  failed: 'bad',
  running: 'info',
  queued: 'quiet',
  completed: 'ok',
};

const tone = (table: Record<string, string>, v: string | null | undefined) =>
  `tone-${(v && table[v.toLowerCase()]) || 'quiet'}`;

export const severityTone = (v: string | null | undefined) => tone(severity, v);
export const statusTone = (v: string | null | undefined) => tone(status, v);
export const classificationTone = (v: string | null | undefined) => tone(classification, v);
export const stepTone = (v: string | null | undefined) => tone(step, v);
