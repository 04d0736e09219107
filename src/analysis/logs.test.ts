import { describe, expect, it } from 'vitest';
import { isErrorLine, matchSignatures, normalise, readLogs } from './logs.js';
import { SIGNATURES } from './signatures.js';

const src = (lines: string[], evidenceId = 'logs.app') => ({
  evidenceId,
  lines: lines.map((line) => ({ line })),
});

describe('normalise', () => {
  it.each([
    ['timestamps', '2026-11-26T19:25:00.201Z ERROR x', '<ts> ERROR x'],
    ['syslog time', 'Nov 26 19:25:00 host kernel: oops', '<ts> host kernel: oops'],
    ['UUIDs', 'req 9b2f0c4e-1d3a-4c5b-8e7f-0a1b2c3d4e5f failed', 'req <uuid> failed'],
    ['IPs with ports', 'dial tcp 10.0.3.7:5432: refused', 'dial tcp <ip>: refused'],
    ['hex ids', 'goroutine at 0xc000123abc trace deadbeef42', 'goroutine at <hex> trace <hex>'],
    ['quoted strings', 'user "alice" not found in \'db\'', 'user "<str>" not found in \'<str>\''],
    ['numbers and durations', 'took 1532ms after 3 retries (75%)', 'took <n> after <n> retries (<n>)'],
  ])('replaces %s', (_, line, expected) => {
    expect(normalise(line)).toBe(expected);
  });

  it('keeps words that only contain digits (x509, http2, 5xx)', () => {
    expect(normalise('x509 error on http2 5xx')).toBe('x509 error on http2 5xx');
  });

  it('reads message and error fields of JSON lines instead of folding all JSON together', () => {
    const a = normalise('{"level":"error","ts":1,"msg":"db connect failed","error":"timeout after 5s"}');
    const b = normalise('{"level":"error","ts":2,"msg":"cache miss storm","error":"x"}');
    expect(a).toBe('error db connect failed error=timeout after <n>');
    expect(a).not.toBe(b);
  });
});

describe('isErrorLine', () => {
  it.each([
    ['ERROR failed to connect', true],
    ['level=error msg="boom"', true],
    ['{"level":"fatal","msg":"bye"}', true],
    ['java.lang.IllegalStateException: bad', true],
    ['level=info msg="0 errors, retry error budget fine"', false],
    ['GET /healthz 200 3ms', false],
  ])('%s → %s', (line, expected) => {
    expect(isErrorLine(line)).toBe(expected);
  });
});

describe('readLogs', () => {
  it('groups repeats into patterns sorted by count, with one example and the evidence id', () => {
    const a = readLogs([
      src([
        'E1 2026-11-26T19:00:00Z request 11 failed: timeout',
        'E1 2026-11-26T19:00:01Z request 12 failed: timeout',
        'E1 2026-11-26T19:00:02Z request 13 failed: timeout',
        'ERROR disk quota warning on /data',
        'INFO all good',
      ]),
    ]);
    expect(a.linesRead).toBe(5);
    expect(a.errorLines).toBe(4);
    expect(a.patterns[0]).toEqual({
      pattern: 'E1 <ts> request <n> failed: timeout',
      count: 3,
      example: 'E1 2026-11-26T19:00:00Z request 11 failed: timeout',
      evidenceIds: ['logs.app'],
    });
  });

  it('keeps Java stack traces with their exception and first frames', () => {
    const a = readLogs([
      src([
        '2026-11-26 19:00:00 ERROR [main] o.a.App - request failed',
        'java.lang.NullPointerException: Cannot invoke "String.length()" because "s" is null',
        '\tat com.example.Svc.handle(Svc.java:42)',
        '\tat com.example.Api.post(Api.java:17)',
        'Caused by: java.io.IOException: broken pipe',
        '\t... 12 more',
        'INFO next request',
      ]),
    ]);
    expect(a.stackTraces).toHaveLength(1);
    expect(a.stackTraces[0]).toMatchObject({ language: 'java', count: 1, evidenceId: 'logs.app' });
    expect(a.stackTraces[0]!.header).toContain('NullPointerException');
    expect(a.stackTraces[0]!.header).toContain('Caused by: java.io.IOException');
    expect(a.stackTraces[0]!.frames[0]).toBe('at com.example.Svc.handle(Svc.java:42)');
    expect(a.patterns.some((p) => p.pattern.startsWith('at '))).toBe(false);
  });

  it('keeps a Python traceback, whose last line is the exception', () => {
    const a = readLogs([
      src([
        'Traceback (most recent call last):',
        '  File "/app/main.py", line 10, in <module>',
        '    main()',
        '  File "/app/main.py", line 6, in main',
        "    cfg = os.environ['DATABASE_URL']",
        "KeyError: 'DATABASE_URL'",
      ]),
    ]);
    expect(a.stackTraces[0]).toMatchObject({ language: 'python', header: "KeyError: 'DATABASE_URL'" });
    expect(a.stackTraces[0]!.frames[0]).toContain('File "/app/main.py", line 10');
    expect(
      matchSignatures(a.stackTraces.length ? [src(["KeyError: 'DATABASE_URL'"])] : []).map((m) => m.id),
    ).toContain('missing_config');
  });

  it('keeps a Go panic with its goroutine frames', () => {
    const a = readLogs([
      src([
        'panic: runtime error: invalid memory address or nil pointer dereference',
        '[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a1b2c]',
        '',
        'goroutine 1 [running]:',
        'main.(*Server).handle(0x0, 0xc000123456)',
        '\t/src/server.go:88 +0x1d',
        'main.main()',
        '\t/src/main.go:12 +0x25',
      ]),
    ]);
    expect(a.stackTraces[0]).toMatchObject({ language: 'go' });
    expect(a.stackTraces[0]!.header).toMatch(/^panic: runtime error/);
    expect(a.stackTraces[0]!.frames).toContain('goroutine 1 [running]:');
    const sigs = a.signatures.map((s) => s.id);
    expect(sigs).toEqual(expect.arrayContaining(['null_reference', 'segfault']));
  });
});

describe('failure signatures', () => {
  const match = (line: string) => matchSignatures([src([line])]);

  it.each([
    ['connection_refused', 'dial tcp 10.0.3.7:5432: connect: connection refused', '10.0.3.7:5432'],
    ['connection_refused', 'Error: connect ECONNREFUSED 127.0.0.1:6379', '127.0.0.1:6379'],
    [
      'connection_refused',
      'Connection to postgres.db.svc:5432 refused. Check that the hostname and port are correct',
      'postgres.db.svc:5432',
    ],
    [
      'dns_failure',
      'dial tcp: lookup redis.cache.svc.cluster.local on 10.96.0.10:53: no such host',
      'redis.cache.svc.cluster.local',
    ],
    ['dns_failure', 'Error: getaddrinfo ENOTFOUND api.partner.example', 'api.partner.example'],
    ['dns_failure', 'getaddrinfo EAI_AGAIN kafka-0.kafka', 'kafka-0.kafka'],
    ['auth_denied', 'FATAL: password authentication failed for user "app"', null],
    [
      'auth_denied',
      'AccessDenied: User arn:aws:iam::1:role/x is not authorized to perform s3:GetObject',
      null,
    ],
    ['auth_denied', 'upstream returned 401 Unauthorized', null],
    ['missing_config', 'Error: environment variable DATABASE_URL is not set', 'DATABASE_URL'],
    ['missing_config', 'Error: secret "db-creds" not found', 'secret "db-creds"'],
    ['tls_error', 'x509: certificate has expired or is not yet valid', null],
    ['tls_error', 'javax.net.ssl.SSLHandshakeException: PKIX path building failed', null],
    ['out_of_memory', 'java.lang.OutOfMemoryError: Java heap space', null],
    [
      'out_of_memory',
      'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
      null,
    ],
    ['out_of_memory', 'fatal error: runtime: out of memory', null],
    ['out_of_memory', 'MemoryError', null],
    ['port_in_use', 'Error: listen EADDRINUSE: address already in use :::8080', '8080'],
    ['disk_full', 'write /data/wal/000123: no space left on device', null],
    ['disk_full', 'ENOSPC: no space left on device, write', null],
    ['too_many_open_files', 'accept tcp [::]:8080: accept4: too many open files', null],
    ['timeout', 'rpc error: code = DeadlineExceeded desc = context deadline exceeded', null],
    ['db_schema', 'ERROR: relation "orders_v2" does not exist at character 15', 'relation "orders_v2"'],
    ['db_schema', 'error: Dirty database version 42. Fix and force version.', null],
    [
      'probe_failure',
      'Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 503',
      'Readiness probe',
    ],
    ['segfault', 'Segmentation fault (core dumped)', null],
    [
      'image_pull',
      'Failed: Failed to pull image "registry.example.com/cart:2.0.1": not found',
      'registry.example.com/cart:2.0.1',
    ],
    [
      'scheduling',
      'FailedScheduling: 0/5 nodes are available: 5 Insufficient memory.',
      '0/5 nodes are available: 5 Insufficient memory',
    ],
    ['read_only_fs', 'open /app/cache/x: read-only file system', null],
    [
      'connection_pool',
      'FATAL: remaining connection slots are reserved for non-replication superuser connections',
      null,
    ],
  ])('%s: %s', (id, line, detail) => {
    const m = match(line).find((x) => x.id === id);
    expect(m, `expected ${id} to match`).toBeDefined();
    expect(m!.detail).toBe(detail);
    expect(m!.example).toBe(line);
  });

  it('cites every evidence id where a signature matched, with counts', () => {
    const m = matchSignatures([
      src(['connect ECONNREFUSED 10.0.0.1:5432', 'connect ECONNREFUSED 10.0.0.1:5432'], 'k8s.previous_logs'),
      src(['connect ECONNREFUSED 10.0.0.1:5432'], 'logs.app'),
    ]).find((x) => x.id === 'connection_refused')!;
    expect(m.count).toBe(3);
    expect(m.evidenceIds).toEqual(['k8s.previous_logs', 'logs.app']);
  });

  it('every signature has an id, title, patterns, explanation and remediation', () => {
    const ids = new Set<string>();
    for (const s of SIGNATURES) {
      expect(s.id).toMatch(/^[a-z_]+$/);
      expect(ids.has(s.id)).toBe(false);
      ids.add(s.id);
      expect(s.patterns.length).toBeGreaterThan(0);
      expect(s.explanation.length).toBeGreaterThan(20);
      expect(s.remediation.length).toBeGreaterThan(20);
    }
    expect(ids.size).toBeGreaterThanOrEqual(15);
  });

  it('does not fire on healthy lines', () => {
    expect(match('GET /api/orders 200 12ms')).toEqual([]);
    expect(match('level=info msg="connected to postgres at 10.0.0.1:5432"')).toEqual([]);
  });
});
