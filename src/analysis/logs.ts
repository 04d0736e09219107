// Deterministic log reading: keep the lines that say something went wrong (plus the stack traces
// they drag along), fold lines that differ only in ids/numbers/times into patterns, and match the
// known failure signatures. Everything is bounded: counts are exact, examples are capped.

import { SIGNATURES, type Signature } from './signatures.js';
import { cap, oneLine } from './text.js';

export interface LogSource {
  evidenceId: string;
  lines: { time?: string; stream?: string; line: string }[];
}

export interface LogPattern {
  pattern: string;
  count: number;
  example: string;
  evidenceIds: string[];
}

export interface StackTrace {
  language: 'java' | 'python' | 'go' | 'node';
  /** The exception/panic line: what was thrown. */
  header: string;
  frames: string[];
  count: number;
  evidenceId: string;
}

export interface SignatureMatch {
  id: string;
  title: string;
  count: number;
  /** Most frequent extracted subject: host:port, image, missing key… */
  detail: string | null;
  example: string;
  explanation: string;
  remediation: string;
  weight: number;
  evidenceIds: string[];
}

export interface LogAnalysis {
  linesRead: number;
  errorLines: number;
  patterns: LogPattern[];
  stackTraces: StackTrace[];
  signatures: SignatureMatch[];
}

const ERROR_WORDS =
  /\b(error|err|errors? occurred|fatal|panic|exception|critical|crit|severe|emerg|fail(ed|ure|ing)?|traceback|refused|denied|unable|cannot|can't|could not|timed? ?out|timeout|killed|oom|segfault|sigsegv|sigkill|abort(ed)?|unhealthy|backoff|back-off)\b|\w(Exception|Error)\b/i;
const ERROR_LEVEL =
  /["']?(level|lvl|severity|loglevel)["']?\s*[:=]\s*["']?(error|err|fatal|panic|critical|crit|emerg|alert|severe)\b/i;
const QUIET_LEVEL = /["']?(level|lvl|severity|loglevel)["']?\s*[:=]\s*["']?(info|debug|trace|notice)\b/i;

/** An error-looking line. An explicit info/debug level wins over words like "error" in the text. */
export function isErrorLine(line: string): boolean {
  if (ERROR_LEVEL.test(line)) return true;
  if (QUIET_LEVEL.test(line)) return false;
  return ERROR_WORDS.test(line);
}

/** Structured (JSON) log lines: the message and error fields are what matter, not the keys. */
function messageOf(line: string): string {
  const t = line.trim();
  if (!t.startsWith('{')) return line;
  try {
    const obj = JSON.parse(t) as Record<string, unknown>;
    const pick = (...keys: string[]) =>
      keys.map((k) => obj[k]).find((v) => typeof v === 'string' || (typeof v === 'object' && v !== null));
    const level = pick('level', 'lvl', 'severity');
    const msg = pick('msg', 'message', 'event');
    const err = pick('error', 'err', 'exception', 'stack_trace');
    const text = (v: unknown) => (typeof v === 'string' ? v : v ? JSON.stringify(v) : '');
    const out = [text(level), text(msg), err ? `error=${text(err)}` : ''].filter(Boolean).join(' ');
    return out || line;
  } catch {
    return line;
  }
}

const MONTHS = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
const NORMALISERS: [RegExp, string][] = [
  [/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<ts>'],
  [new RegExp(`\\b(?:${MONTHS})\\s+\\d{1,2}\\s+\\d{2}:\\d{2}:\\d{2}\\b`, 'g'), '<ts>'],
  [/\b\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g, '<ts>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/\[[0-9a-f]*:[0-9a-f:]+\](?::\d{1,5})?/gi, '<ip>'],
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b/g, '<ip>'],
  [/"(?:[^"\\]|\\.)*"/g, '"<str>"'],
  [/(?<![A-Za-z])'[^'\n]*'(?![A-Za-z])/g, "'<str>'"],
  [/\b0x[0-9a-f]+\b/gi, '<hex>'],
  [/\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi, '<hex>'],
  [/\b\d+(?:\.\d+)?(?:(?:ns|us|µs|ms|s|m|h|ki|mi|gi|kb|mb|gb|b)\b|%|\b)/gi, '<n>'],
];

/** A line with its variable parts replaced by placeholders, so repeats fold into one pattern. */
export function normalise(line: string): string {
  let out = messageOf(line);
  for (const [re, rep] of NORMALISERS) out = out.replace(re, rep);
  return oneLine(out, 200);
}

// Stack traces: header line, then frames in the language's shape.
const JAVA_FRAME = /^\s+at\s+\S+/;
const JAVA_MORE = /^\s+\.\.\. \d+ (more|common frames omitted)/;
const CAUSED_BY = /^Caused by: /;
const PY_START = /^Traceback \(most recent call last\):/;
const PY_FRAME = /^\s+(File "|\S)/;
const GO_START = /^(panic: |fatal error: )/;
const GO_CONT = /^(goroutine \d+ \[|\t|\S+\(.*\)$|created by |\[signal |\s*$)/;

interface OpenTrace {
  language: StackTrace['language'];
  header: string;
  frames: string[];
  done: boolean;
}

function continues(t: OpenTrace, line: string): boolean {
  if (t.language === 'java' || t.language === 'node') {
    return JAVA_FRAME.test(line) || JAVA_MORE.test(line) || CAUSED_BY.test(line);
  }
  if (t.language === 'python') return PY_FRAME.test(line);
  return GO_CONT.test(line);
}

const MAX_FRAMES = 5;

/** Reads log sources into error patterns, stack traces and signature matches. */
export function readLogs(sources: readonly LogSource[], extraTexts: readonly LogSource[] = []): LogAnalysis {
  const patterns = new Map<string, LogPattern>();
  const traces = new Map<string, StackTrace>();
  let linesRead = 0;
  let errorLines = 0;

  const addPattern = (evidenceId: string, line: string) => {
    const key = normalise(line);
    const p = patterns.get(key);
    if (p) {
      p.count++;
      if (!p.evidenceIds.includes(evidenceId)) p.evidenceIds.push(evidenceId);
    } else {
      patterns.set(key, {
        pattern: key,
        count: 1,
        example: cap(oneLine(line, 300), 300),
        evidenceIds: [evidenceId],
      });
    }
  };
  const closeTrace = (evidenceId: string, t: OpenTrace | null) => {
    if (!t) return;
    const header = oneLine(t.header, 200);
    const key = `${t.language}|${normalise(header)}|${t.frames[0] ?? ''}`;
    const existing = traces.get(key);
    if (existing) existing.count++;
    else traces.set(key, { language: t.language, header, frames: t.frames, count: 1, evidenceId });
  };

  for (const src of sources) {
    let open: OpenTrace | null = null;
    let prev: string | null = null;
    for (const { line } of src.lines) {
      linesRead++;
      if (open && !open.done && continues(open, line)) {
        if (open.frames.length < MAX_FRAMES && !CAUSED_BY.test(line) && line.trim())
          open.frames.push(oneLine(line, 160));
        if (CAUSED_BY.test(line)) open.header = `${open.header} / ${line.trim()}`;
        continue;
      }
      if (open?.language === 'python' && !open.done && line.trim()) {
        // The un-indented line after a Python traceback is the exception itself.
        open.header = line;
        open.done = true;
        errorLines++;
        addPattern(src.evidenceId, line);
        closeTrace(src.evidenceId, open);
        open = null;
        prev = line;
        continue;
      }
      closeTrace(src.evidenceId, open);
      open = null;

      if (PY_START.test(line)) {
        open = { language: 'python', header: line, frames: [], done: false };
      } else if (GO_START.test(line)) {
        open = { language: 'go', header: line, frames: [], done: false };
        errorLines++;
        addPattern(src.evidenceId, line);
      } else if (JAVA_FRAME.test(line) && prev !== null) {
        // A frame with no open trace: the previous line was the exception message.
        const language = /\.(m?js|ts|cjs):\d+/.test(line) ? 'node' : 'java';
        open = { language, header: prev, frames: [oneLine(line, 160)], done: false };
      } else if (isErrorLine(line)) {
        errorLines++;
        addPattern(src.evidenceId, line);
      }
      prev = line;
    }
    closeTrace(src.evidenceId, open);
  }

  const signatures = matchSignatures([...sources, ...extraTexts]);
  return {
    linesRead,
    errorLines,
    patterns: [...patterns.values()].sort((a, b) => b.count - a.count),
    stackTraces: [...traces.values()].sort((a, b) => b.count - a.count),
    signatures,
  };
}

/** Every signature that matches any line, with counts and the most common extracted subject. */
export function matchSignatures(
  sources: readonly LogSource[],
  library: readonly Signature[] = SIGNATURES,
): SignatureMatch[] {
  const out: SignatureMatch[] = [];
  for (const sig of library) {
    let count = 0;
    let example: string | null = null;
    const ids: string[] = [];
    const details = new Map<string, number>();
    for (const src of sources) {
      for (const { line } of src.lines) {
        if (!sig.patterns.some((re) => re.test(line))) continue;
        count++;
        example ??= oneLine(line, 300);
        if (!ids.includes(src.evidenceId)) ids.push(src.evidenceId);
        const d = sig.extract?.(line);
        if (d) details.set(d, (details.get(d) ?? 0) + 1);
      }
    }
    if (!count || example === null) continue;
    const detail = [...details.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
    out.push({
      id: sig.id,
      title: sig.title,
      count,
      detail: detail ? oneLine(detail, 120) : null,
      example,
      explanation: sig.explanation,
      remediation: sig.remediation,
      weight: sig.weight,
      evidenceIds: ids,
    });
  }
  return out.sort((a, b) => b.weight - a.weight || b.count - a.count);
}
