import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

// Fake LLM providers for tests: each speaks one provider's real HTTP wire protocol on loopback and
// RECORDS every request body, so a test can assert what left Tarka (no secret, fenced data). What
// the "model" answers is scripted per call, including the faults a real provider shows.

/** One tool call the scripted model makes. */
export interface ScriptedToolCall {
  name: string;
  args: Record<string, unknown>;
}

/** What the fake model does on one request. */
export interface ScriptedTurn {
  /** Text answer (for structured output: the JSON text, or an object serialised for you). */
  text?: string | object;
  toolCalls?: ScriptedToolCall[];
  /** Token counts reported; null: the provider reports none (usage stays unknown). */
  usage?: { input: number; output: number } | null;
  /** Pause between streamed chunks (OpenAI dialect), so a test can watch text arrive. */
  chunkDelayMs?: number;
  /** Stop because of the output limit (truncated output). */
  truncated?: boolean;
  /** Provider faults: an HTTP error status (429 carries Retry-After), a hang, a dropped socket. */
  fault?: { status: number; retryAfterSeconds?: number } | { hangMs: number } | 'drop';
}

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  /** The raw body text as received: what tests search for leaked secrets. */
  raw: string;
}

export type Script = ScriptedTurn | ((req: RecordedRequest, index: number) => ScriptedTurn);

/** Writes one scripted turn in a provider's dialect. */
export type Dialect = (
  turn: ScriptedTurn,
  req: RecordedRequest,
  res: ServerResponse,
  model: string,
) => void | Promise<void>;

export interface FakeLlm {
  /** Base URL to give the provider library (dialect-specific path included). */
  baseUrl: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Turns answered in order; when used up, `fallback` answers. */
  script(...turns: Script[]): void;
  fallback: Script;
  close(): Promise<void>;
}

export async function startFakeLlm(dialect: Dialect, basePath: string): Promise<FakeLlm> {
  const requests: RecordedRequest[] = [];
  const queue: Script[] = [];
  const sockets = new Set<Socket>();
  const fake: FakeLlm = {
    baseUrl: '',
    requests,
    script: (...turns) => queue.push(...turns),
    fallback: { text: 'ok', usage: { input: 10, output: 2 } },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = null;
      }
      const recorded: RecordedRequest = { path: req.url ?? '', headers: req.headers, body, raw };
      requests.push(recorded);
      const next = queue.shift() ?? fake.fallback;
      const turn = typeof next === 'function' ? next(recorded, requests.length - 1) : next;
      void answer(turn, recorded, res, dialect, modelOf(recorded)).catch(() => res.destroy());
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${basePath}`;
  return fake;
}

async function answer(
  turn: ScriptedTurn,
  req: RecordedRequest,
  res: ServerResponse,
  dialect: Dialect,
  model: string,
): Promise<void> {
  const f = turn.fault;
  if (f === 'drop') {
    res.socket?.destroy();
    return;
  }
  if (f && 'hangMs' in f) {
    await new Promise((r) => setTimeout(r, f.hangMs));
    if (res.destroyed) return;
  } else if (f) {
    res.writeHead(f.status, {
      'content-type': 'application/json',
      ...(f.retryAfterSeconds !== undefined ? { 'retry-after': String(f.retryAfterSeconds) } : {}),
    });
    res.end(JSON.stringify({ error: { message: `fake provider error ${f.status}`, type: 'fake' } }));
    return;
  }
  await dialect(turn, req, res, model);
}

function modelOf(req: RecordedRequest): string {
  const b = req.body as { model?: unknown } | null;
  if (b && typeof b.model === 'string') return b.model;
  const m = /models\/([^:/?]+)/.exec(req.path);
  return m?.[1] ?? 'fake-model';
}

/** The scripted text as the model would send it. */
export const textOf = (turn: ScriptedTurn): string =>
  turn.text === undefined ? '' : typeof turn.text === 'string' ? turn.text : JSON.stringify(turn.text);

/** Splits text into a few stream chunks, as a model streams tokens. */
export function chunks(text: string, size = 8): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

export function sse(res: ServerResponse): (data: unknown, event?: string) => void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  return (data, event) => {
    res.write(
      `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`,
    );
  };
}

export function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
