// A configured URL may carry credentials (`http://user:pass@host`, `?api_key=…`). They are split
// off once, at config time: requests use them, while every text people see (step events,
// reports, logs, errors) is built from the shown form, which has none.

export interface SplitUrl {
  /** Where requests go: userinfo removed, query kept (it may hold an API key the server needs). */
  url: string;
  /** For people: no userinfo, secret-looking query values replaced, no trailing slash. */
  shown: string;
  username?: string;
  password?: string;
}

/** Query parameter names whose values are secrets (api_key, access_token, X-Amz-Signature, …). */
const SECRET_PARAM = /key|token|secret|passw|pwd|auth|sig|credential|session/i;

export const HIDDEN = 'hidden';

/** Separates credentials from a URL; a value that is not a URL is returned scrubbed as text. */
export function splitUrl(raw: string): SplitUrl {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    const shown = scrubSecrets(raw);
    return { url: raw, shown };
  }
  const out: SplitUrl = { url: '', shown: '' };
  if (parsed.username) out.username = decoded(parsed.username);
  if (parsed.password) out.password = decoded(parsed.password);
  parsed.username = '';
  parsed.password = '';
  out.url = parsed.toString();
  out.shown = shownOf(parsed);
  return out;
}

/** Percent-decoding, keeping a malformed sequence (`%zz`) as written. */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** A URL as people may see it. */
export function shownUrl(raw: string): string {
  return splitUrl(raw).shown;
}

function shownOf(url: URL): string {
  const query = [...url.searchParams]
    .map(([k, v]) => `${encodeURIComponent(k)}=${SECRET_PARAM.test(k) ? HIDDEN : encodeURIComponent(v)}`)
    .join('&');
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}${query ? `?${query}` : ''}`;
}

// scheme://user:pass@ anywhere in a text (error messages of libraries quote URLs they were given).
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi;
// name=value pairs of secret-looking query parameters inside a text.
const SECRET_PAIR = new RegExp(`([?&][^\\s=&#]*(?:${SECRET_PARAM.source})[^\\s=&#]*=)[^\\s&#]*`, 'gi');

/** The URL exactly as written, minus `user:pass@` (for URLs meant for browsers, whose query is theirs). */
export function withoutUserinfo(raw: string): string {
  return raw.replace(USERINFO, '$1');
}

/** Removes URL credentials from any text: userinfo and secret query values. */
export function scrubSecrets(text: string): string {
  if (!text.includes('@') && !text.includes('=')) return text;
  return text.replace(USERINFO, '$1').replace(SECRET_PAIR, `$1${HIDDEN}`);
}
