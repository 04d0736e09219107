// Times and numbers for people woken at night: short, unambiguous, local time on hover.

const units: [number, string][] = [
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'min'],
  [1000, 's'],
];

/** "4 min", "2 h", "3 d" between two instants. */
export function span(ms: number): string {
  const a = Math.abs(ms);
  if (a < 1000) return 'now';
  for (const [size, unit] of units) if (a >= size) return `${Math.floor(a / size)} ${unit}`;
  return 'now';
}

export function ago(iso: string | null | undefined, now: number): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const s = span(now - t);
  return s === 'now' ? 'just now' : `${s} ago`;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return span(ms);
}

// Plain local "2026-11-26 03:14:07" rather than Intl: building an Intl date formatter costs more
// than rendering the whole inbox, and a fixed 24-hour form is unambiguous at any hour.
const pad = (n: number) => String(n).padStart(2, '0');

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function clock(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** snake_case and camelCase words for reading: "oom_killed" → "oom killed". */
export function words(v: string | null | undefined): string {
  if (!v) return '';
  return v.replace(/_/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2');
}

/** 10000 → "10,000". */
export const count = { format: (n: number) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',') };

/** The status a person should see: a snooze that has run out shows the alert's own status. */
export { effectiveStatus as shownStatus } from '../../../src/contract/status.js';

export const statusText: Record<string, string> = {
  firing: 'Firing',
  resolved: 'Resolved',
  snoozed: 'Snoozed',
  closed: 'Closed',
};
