// `tarka reanalyze --since`: parsed while the command line is read, so no heavy imports here.

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** An ISO instant, or a duration back from `now` such as 30m, 12h, 7d, 2w; null when neither. */
export function parseSince(v: string, now = Date.now()): Date | null {
  const d = /^(\d+)([mhdw])$/.exec(v.trim());
  if (d) return new Date(now - Number(d[1]) * UNIT_MS[d[2]!]!);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v)) return null;
  const t = Date.parse(v);
  return Number.isFinite(t) ? new Date(t) : null;
}
