/**
 * Where to go after signing in: a path on this site only. Anything that a browser could read as
 * another origin is refused: `//host`, `/\host` (browsers treat `\` as `/`), a scheme
 * (`https:`, `javascript:`), control characters and whitespace that browsers strip.
 */
export function safeNext(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > 2000) return fallback;
  if (!next.startsWith('/')) return fallback;
  if (next.startsWith('//') || next.startsWith('/\\')) return fallback;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\\s]/.test(next)) return fallback;
  // Resolved against a dummy origin, the path must stay on it (catches encodings we missed).
  try {
    const u = new URL(next, 'http://tarka.invalid');
    if (u.origin !== 'http://tarka.invalid') return fallback;
    return u.pathname + u.search + u.hash;
  } catch {
    return fallback;
  }
}
