// Redaction before anything leaves for an LLM provider. Secrets are always replaced (and never
// put back: the answer shows the placeholder); the optional tier pseudonymises e-mails, IP
// addresses and account ids, which are put back in the answer shown to people. The same value
// gets the same placeholder within one Redactor (one case's prompt: numbered by first sight, so a
// prompt built from the same evidence numbers alike), and each call reports what it replaced.

export type SecretKind =
  | 'private_key'
  | 'jwt'
  | 'url_password'
  | 'auth_header'
  | 'aws_key'
  | 'github_token'
  | 'slack_token'
  | 'api_key'
  | 'secret_value';
export type PiiKind = 'email' | 'ip' | 'account_id';
export type RedactionKind = SecretKind | PiiKind;

/** What one call replaced, by kind (occurrences, not distinct values). Values are never kept. */
export interface RedactionReceipt {
  pii: boolean;
  counts: Partial<Record<RedactionKind, number>>;
  total: number;
}

interface Rule {
  kind: RedactionKind;
  re: RegExp;
  /** Which capture group is the secret (the rest of the match is kept); 0 = the whole match. */
  group: number;
}

// A placeholder must never be taken for a secret again by a later rule.
const NOT_PLACEHOLDER = '(?!\\[\\[)';
// Key names whose values are secrets (in key=value, key: value, "key": "value", headers).
const SECRET_NAME =
  '[\\w.-]*(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|account[_-]?key|private[_-]?key|shared[_-]?access[_-]?key|client[_-]?secret|credentials?|session[_-]?(?:id|key)|cookie|signature)[\\w.-]*';

const secretRules: Rule[] = [
  {
    kind: 'private_key',
    re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/g,
    group: 0,
  },
  { kind: 'jwt', re: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, group: 0 },
  // scheme://user:password@host (databases, brokers, HTTP): the password goes, the rest stays.
  { kind: 'url_password', re: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"'<>]*:([^\s@/"'<>]+)@/gi, group: 1 },
  { kind: 'aws_key', re: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/g, group: 0 },
  { kind: 'github_token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})\b/g, group: 0 },
  {
    kind: 'slack_token',
    re: /\bxox[abprsoe]-[A-Za-z0-9-]{10,}|https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+/g,
    group: 0,
  },
  {
    kind: 'api_key',
    re: /\b(?:sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}|AIza[0-9A-Za-z_-]{35}|(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{16,}|glpat-[0-9A-Za-z_-]{20,}|npm_[A-Za-z0-9]{36}|xkeysat-[A-Za-z0-9-]{20,}|SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,})/g,
    group: 0,
  },
  {
    kind: 'auth_header',
    re: new RegExp(`\\b(?:bearer|basic|digest|token)\\s+${NOT_PLACEHOLDER}([A-Za-z0-9._~+/=-]{12,})`, 'gi'),
    group: 1,
  },
  // Azure SAS and similar: a bare `sig` query parameter (not `signal=SIGKILL`).
  { kind: 'secret_value', re: /[?&;]sig=([^\s&"'<>]{3,})/gi, group: 1 },
  // name=value, name: value, "name": "value", name="value"; values up to a quote, space, ; , or &.
  {
    kind: 'secret_value',
    re: new RegExp(
      `(?<![\\w-])${SECRET_NAME}(?:\\\\*["'])?\\s*[=:]\\s*(?:\\\\*["'])?${NOT_PLACEHOLDER}((?:(?!\\[\\[)[^\\s"'\\\\,;&<>]){3,})`,
      'gi',
    ),
    group: 1,
  },
];

const piiRules: Rule[] = [
  { kind: 'email', re: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g, group: 0 },
  {
    kind: 'ip',
    re: /\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b|\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b|\b(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4}\b/gi,
    group: 0,
  },
  // AWS account ids (12 digits, in ARNs or alone), Azure subscription ids, GCP projects named as such.
  {
    kind: 'account_id',
    re: /(?<![\d.])\d{12}(?![\d.])|(?<=subscriptions\/)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?<=\b(?:account[_-]?id|project[_-]?id|tenant[_-]?id)"?\s*[=:]\s*"?)[\w-]{4,}/gi,
    group: 0,
  },
];

const PLACEHOLDER = /\[\[([a-z_]+)_(\d+)\]\]/g;

export class Redactor {
  private readonly ids = new Map<string, string>();
  private readonly values = new Map<string, string>();
  private readonly next = new Map<RedactionKind, number>();
  private readonly counts: Partial<Record<RedactionKind, number>> = {};

  constructor(readonly opts: { pii: boolean }) {}

  /** The text with every secret (and, with the PII tier, every e-mail, IP, account id) replaced. */
  redact(text: string): string {
    let out = text;
    for (const rule of this.opts.pii ? [...secretRules, ...piiRules] : secretRules) {
      out = out.replace(rule.re, (match: string, ...rest: unknown[]) => {
        const secret = rule.group === 0 ? match : (rest[rule.group - 1] as string | undefined);
        if (!secret || secret.startsWith('[[')) return match;
        const at = match.lastIndexOf(secret);
        return match.slice(0, at) + this.placeholder(rule.kind, secret) + match.slice(at + secret.length);
      });
    }
    return out;
  }

  /** Puts pseudonymised PII back; secret placeholders stay as they are. */
  restore(text: string): string {
    return text.replace(PLACEHOLDER, (m) => this.values.get(m) ?? m);
  }

  /** A streaming restorer: feed chunks, get text safe to show (a placeholder cut in two is held back). */
  restorer(): { push(chunk: string): string; end(): string } {
    let held = '';
    return {
      push: (chunk) => {
        held += chunk;
        const open = held.lastIndexOf('[[');
        const cut =
          open >= 0 && !held.slice(open).includes(']]')
            ? open
            : held.endsWith('[')
              ? held.length - 1
              : held.length;
        const ready = held.slice(0, cut);
        held = held.slice(cut);
        return this.restore(ready);
      },
      end: () => {
        const rest = this.restore(held);
        held = '';
        return rest;
      },
    };
  }

  receipt(): RedactionReceipt {
    const counts = { ...this.counts };
    return { pii: this.opts.pii, counts, total: Object.values(counts).reduce((a, b) => a + (b ?? 0), 0) };
  }

  private placeholder(kind: RedactionKind, value: string): string {
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
    const key = `${kind}\u0000${value}`;
    let id = this.ids.get(key);
    if (!id) {
      const n = (this.next.get(kind) ?? 0) + 1;
      this.next.set(kind, n);
      id = `[[${kind}_${n}]]`;
      this.ids.set(key, id);
      // Only pseudonyms are restorable: a secret's value is not kept beyond this map's key.
      if (isPii(kind)) this.values.set(id, value);
    }
    return id;
  }
}

const isPii = (k: RedactionKind): k is PiiKind => k === 'email' || k === 'ip' || k === 'account_id';
