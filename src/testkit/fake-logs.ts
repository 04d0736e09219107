import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

// Stand-ins for VictoriaLogs and Loki that answer in their real wire formats. Each parses the
// query strictly (Go string literals, as both servers do) and filters its entries by it, so a
// badly escaped value fails or matches the wrong logs exactly as it would against the real thing.

export interface LogEntry {
  time: Date;
  /** Stream fields, e.g. namespace, pod, container. */
  fields: Record<string, string>;
  msg: string;
}

export interface FakeLogs {
  url: string;
  /** "METHOD path" plus the query parameters of every request. */
  requests: { method: string; path: string; params: URLSearchParams }[];
  close(): Promise<void>;
}

/**
 * Reads one Go double-quoted string literal starting at `s[i]`, as strconv.Unquote would.
 * Returns the value and the index after the closing quote; throws on anything Go rejects.
 */
export function readGoString(s: string, i: number): { value: string; end: number } {
  if (s[i] !== '"') throw new Error(`expected '"' at ${i}`);
  let out = '';
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j]!;
    if (c === '"') return { value: out, end: j + 1 };
    if (c === '\n') throw new Error('newline in string literal');
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = s[++j];
    const simple: Record<string, string> = {
      n: '\n',
      r: '\r',
      t: '\t',
      '\\': '\\',
      '"': '"',
      a: '\x07',
      b: '\b',
      f: '\f',
      v: '\v',
    };
    if (e !== undefined && simple[e] !== undefined) out += simple[e];
    else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(j + 1, j + 3))) {
      out += String.fromCharCode(parseInt(s.slice(j + 1, j + 3), 16));
      j += 2;
    } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(j + 1, j + 5))) {
      out += String.fromCharCode(parseInt(s.slice(j + 1, j + 5), 16));
      j += 4;
    } else throw new Error(`invalid escape \\${e ?? ''} in string literal`);
  }
  throw new Error('unterminated string literal');
}

/** `a:="x" b:="y"` (LogsQL exact filters). */
export function parseLogsql(query: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  const skip = () => {
    while (i < query.length && /\s/.test(query[i]!)) i++;
  };
  skip();
  while (i < query.length) {
    let name: string;
    if (query[i] === '"') {
      const r = readGoString(query, i);
      name = r.value;
      i = r.end;
    } else {
      const m = /^[A-Za-z0-9_.]+/.exec(query.slice(i));
      if (!m) throw new Error(`unexpected ${JSON.stringify(query.slice(i, i + 10))}`);
      name = m[0];
      i += name.length;
    }
    if (query.slice(i, i + 2) !== ':=') throw new Error(`expected ':=' after ${name}`);
    const v = readGoString(query, i + 2);
    out[name] = v.value;
    i = v.end;
    if (i < query.length && !/\s/.test(query[i]!))
      throw new Error(`missing whitespace after filter on ${name}`);
    skip();
  }
  return out;
}

/** `{a="x",b="y"}` (LogQL stream selector with equality matchers). */
export function parseLogql(query: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (query[0] !== '{') throw new Error('expected {');
  let i = 1;
  for (;;) {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(query.slice(i));
    if (!m) throw new Error(`expected a label name at ${i}`);
    i += m[0].length;
    if (query[i] !== '=') throw new Error(`expected = after ${m[0]}`);
    const v = readGoString(query, i + 1);
    out[m[0]] = v.value;
    i = v.end;
    if (query[i] === ',') {
      i++;
      continue;
    }
    if (query[i] === '}' && i === query.length - 1) return out;
    throw new Error(`unexpected ${JSON.stringify(query.slice(i))}`);
  }
}

const matches = (e: LogEntry, want: Record<string, string>) =>
  Object.entries(want).every(([k, v]) => e.fields[k] === v);

const streamOf = (fields: Record<string, string>) =>
  `{${Object.keys(fields)
    .sort()
    .map((k) => `${k}=${JSON.stringify(fields[k])}`)
    .join(',')}}`;

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse, params: URLSearchParams, path: string) => void,
) {
  const requests: FakeLogs['requests'] = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const params = new URLSearchParams(url.search);
    if (req.method === 'POST')
      for (const [k, v] of new URLSearchParams(await readBody(req))) params.append(k, v);
    requests.push({ method: req.method ?? 'GET', path: url.pathname, params });
    handler(req, res, params, url.pathname);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function text(res: ServerResponse, code: number, body: string, type = 'text/plain; charset=utf-8') {
  res.writeHead(code, { 'content-type': type });
  res.end(body);
}

/** VictoriaLogs: POST /select/logsql/query → JSON lines of {_msg,_stream,_time,…fields}. */
export function startFakeVictoriaLogs(entries: LogEntry[]): Promise<FakeLogs> {
  return listen((_req, res, params, path) => {
    if (path !== '/select/logsql/query') return text(res, 404, 'unsupported path requested');
    const query = params.get('query') ?? '';
    if (query === '_time:5m | limit 1') return text(res, 200, '', 'application/stream+json');
    let filters: Record<string, string>;
    try {
      filters = parseLogsql(query);
    } catch (err) {
      return text(res, 400, `cannot parse query [${query}]: ${(err as Error).message}`);
    }
    const start = params.has('start') ? Date.parse(params.get('start')!) : -Infinity;
    const end = params.has('end') ? Date.parse(params.get('end')!) : Infinity;
    const limit = params.has('limit') ? Number(params.get('limit')) : Infinity;
    const selected = entries
      .filter((e) => matches(e, filters) && e.time.getTime() >= start && e.time.getTime() <= end)
      .sort((a, b) => b.time.getTime() - a.time.getTime())
      .slice(0, limit);
    // VictoriaLogs streams results as it finds them: the order is not guaranteed.
    const shuffled = selected.filter((_, i) => i % 2 === 1).concat(selected.filter((_, i) => i % 2 === 0));
    const body = shuffled
      .map((e) =>
        JSON.stringify({
          _msg: e.msg,
          _stream: streamOf(e.fields),
          _time: e.time.toISOString(),
          ...e.fields,
        }),
      )
      .join('\n');
    text(res, 200, body ? `${body}\n` : '', 'application/stream+json');
  });
}

/** Loki: GET /loki/api/v1/query_range → {status, data:{resultType:"streams", result}}; /labels for detection. */
export function startFakeLoki(entries: LogEntry[]): Promise<FakeLogs> {
  return listen((_req, res, params, path) => {
    if (path === '/loki/api/v1/labels') {
      const names = [...new Set(entries.flatMap((e) => Object.keys(e.fields)))].sort();
      return text(res, 200, JSON.stringify({ status: 'success', data: names }), 'application/json');
    }
    if (path !== '/loki/api/v1/query_range') return text(res, 404, '404 page not found');
    const query = params.get('query') ?? '';
    let selector: Record<string, string>;
    try {
      selector = parseLogql(query);
    } catch (err) {
      return text(res, 400, `parse error : ${(err as Error).message}`);
    }
    const ns = (d: Date) => BigInt(d.getTime()) * 1_000_000n;
    const start = params.has('start') ? BigInt(params.get('start')!) : 0n;
    const end = params.has('end') ? BigInt(params.get('end')!) : BigInt(Number.MAX_SAFE_INTEGER) * 1_000_000n;
    const limit = Number(params.get('limit') ?? 100);
    const backward = params.get('direction') !== 'forward';
    const selected = entries
      .filter((e) => matches(e, selector) && ns(e.time) >= start && ns(e.time) < end)
      .sort((a, b) => (backward ? b.time.getTime() - a.time.getTime() : a.time.getTime() - b.time.getTime()))
      .slice(0, limit);
    const streams = new Map<string, { stream: Record<string, string>; values: [string, string][] }>();
    for (const e of selected) {
      const key = streamOf(e.fields);
      if (!streams.has(key)) streams.set(key, { stream: e.fields, values: [] });
      streams.get(key)!.values.push([String(ns(e.time)), e.msg]);
    }
    text(
      res,
      200,
      JSON.stringify({
        status: 'success',
        data: { resultType: 'streams', result: [...streams.values()], stats: {} },
      }),
      'application/json',
    );
  });
}
