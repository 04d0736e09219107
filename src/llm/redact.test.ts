import { describe, expect, it } from 'vitest';
import { redactionCorpus } from './redaction-corpus.js';
import { Redactor } from './redact.js';

describe('redaction corpus', () => {
  it.each(redactionCorpus)('$name: no secret survives, and the text around it does', ({ text, secrets }) => {
    const r = new Redactor({ pii: false });
    const out = r.redact(text);
    for (const s of secrets) expect(out).not.toContain(s);
    if (secrets.length) expect(r.receipt().total).toBeGreaterThan(0);
    expect(out).toMatch(/\[\[[a-z_]+_\d+\]\]|^[^[]*$/);
  });

  it('redacts every secret of the whole corpus joined as one JSON prompt', () => {
    const r = new Redactor({ pii: true });
    const out = r.redact(JSON.stringify({ lines: redactionCorpus.map((c) => c.text) }));
    for (const s of redactionCorpus.flatMap((c) => c.secrets)) {
      expect(out).not.toContain(s);
      expect(out).not.toContain(JSON.stringify(s).slice(1, -1));
    }
  });
});

describe('Redactor', () => {
  it('gives the same value the same placeholder and counts every occurrence in the receipt', () => {
    const r = new Redactor({ pii: true });
    const out = r.redact(
      'a@x.io then b@x.io then a@x.io; token ghp_abcdefghijklmnopqrstuvwxyz0123456789 ghp_abcdefghijklmnopqrstuvwxyz0123456789',
    );
    expect(out).toBe(
      '[[email_1]] then [[email_2]] then [[email_1]]; token [[github_token_1]] [[github_token_1]]',
    );
    expect(r.receipt()).toEqual({ pii: true, counts: { email: 3, github_token: 2 }, total: 5 });
  });

  it('puts pseudonymised PII back in the answer, never a secret', () => {
    const r = new Redactor({ pii: true });
    const prompt = r.redact('jane@example.com used password=hunter2hunter2 from 10.1.2.3');
    expect(prompt).toBe('[[email_1]] used password=[[secret_value_1]] from [[ip_1]]');
    expect(r.restore('Ask [[email_1]] (at [[ip_1]]); rotate [[secret_value_1]]')).toBe(
      'Ask jane@example.com (at 10.1.2.3); rotate [[secret_value_1]]',
    );
  });

  it('redacts a SAS signature in a query string', () => {
    const out = new Redactor({ pii: false }).redact(
      'GET https://acct.blob.core.windows.net/c/b?sv=2022&sig=AbC123xYz%3D&se=x',
    );
    expect(out).not.toContain('AbC123xYz');
  });

  it('leaves PII alone without the optional tier', () => {
    const r = new Redactor({ pii: false });
    expect(r.redact('jane@example.com from 10.1.2.3')).toBe('jane@example.com from 10.1.2.3');
  });

  it('restores placeholders split across streamed chunks', () => {
    const r = new Redactor({ pii: true });
    r.redact('ops@example.com');
    const s = r.restorer();
    const shown = ['Mail [', '[ema', 'il_1', ']] now', ' [[x'].map((c) => s.push(c)).join('') + s.end();
    expect(shown).toBe('Mail ops@example.com now [[x');
  });

  it('keeps ordinary operational text intact', () => {
    const text =
      'pod checkout-7d9f crashed: OOMKilled, limit 512Mi, restarts=14, key=app.kubernetes.io/name, exit signal=SIGKILL';
    expect(new Redactor({ pii: true }).redact(text)).toBe(text);
  });
});
