import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCollectors } from '../collectors/run.js';
import { startFakeVictoriaLogs, parseLogsql, type FakeLogs } from '../testkit/fake-logs.js';
import { toolCaller, type CallRecorder } from './run-tool.js';
import type { ChatLimits, ToolDeps, ToolOutput, TurnContext } from './types.js';

// The one way tools run: policy (tool switches, namespace and cluster allowlists), bounds (calls
// per turn, result size) and escaping, against a logs backend that speaks VictoriaLogs' protocol.

const HOSTILE_NS = 'shop" or _msg:* "';

describe('chat tool calls', () => {
  let logs: FakeLogs;
  beforeAll(async () => {
    const now = Date.now();
    logs = await startFakeVictoriaLogs([
      {
        time: new Date(now - 60_000),
        fields: { namespace: HOSTILE_NS, pod: 'p' },
        msg: 'from the hostile namespace',
      },
      {
        time: new Date(now - 60_000),
        fields: { namespace: 'other', pod: 'p' },
        msg: 'from another namespace',
      },
    ]);
  });
  afterAll(() => logs?.close());

  function setup(limits: Partial<ChatLimits> = {}) {
    const recorded: { started: string[]; finished: { callId: string; tool: string; output: ToolOutput }[] } =
      {
        started: [],
        finished: [],
      };
    const recorder: CallRecorder = {
      started: async (c) => void recorded.started.push(`${c.callId} ${c.tool} ${c.request}`),
      finished: async (c) => void recorded.finished.push(c),
    };
    const deps = {
      collectors: createCollectors({ logsUrl: logs.url, logsBackend: 'victorialogs', kube: null }),
      limits: {
        maxCallsPerTurn: 2,
        turnTimeoutMs: 10_000,
        disabledTools: [],
        clustersAllow: [],
        namespaces: { allow: [], deny: [] },
        maxSeries: 20,
        maxLogLines: 5,
        maxRangeMs: 6 * 3_600_000,
        maxRangeSteps: 240,
        maxResultBytes: 16_000,
        ...limits,
      },
      now: () => new Date(),
    } as unknown as ToolDeps;
    const ctx: TurnContext = { deps, turnId: 't1', author: 'ana', caseId: 'c1', facts: null };
    return { call: toolCaller(ctx, recorder, Date.now() + 10_000), recorded };
  }

  it('keeps a hostile namespace one value: only its own lines come back', async () => {
    const { call, recorded } = setup();
    const out = await call('logs_tail', { namespace: HOSTILE_NS, lines: 100 });
    expect(out.status).toBe('ok');
    expect((out.result as { lines: { line: string }[] }).lines.map((l) => l.line)).toEqual([
      'from the hostile namespace',
    ]);
    expect(parseLogsql(logs.requests.at(-1)!.params.get('query')!)).toEqual({ namespace: HOSTILE_NS });
    // Bounded by CHAT_MAX_LOG_LINES whatever was asked.
    expect(logs.requests.at(-1)!.params.get('limit')).toBe('5');
    expect(recorded.finished[0]).toMatchObject({ callId: 't1-1', tool: 'logs_tail' });
  });

  it('refuses what policy denies before any request, and records why', async () => {
    const before = logs.requests.length;
    const denied = setup({ namespaces: { allow: [], deny: ['kube-*'] }, clustersAllow: ['eu-1'] });
    expect(await denied.call('logs_tail', { namespace: 'kube-system' })).toMatchObject({
      status: 'denied',
      code: 'TARKA_CHAT_TOOL_DENIED',
    });
    expect(await denied.call('logs_tail', { namespace: 'shop', cluster: 'us-9' })).toMatchObject({
      status: 'denied',
      summary: 'cluster "us-9" is not in CHAT_CLUSTERS_ALLOW',
    });
    expect(
      await setup({ namespaces: { allow: [], deny: ['secret'] } }).call('promql_query', {
        query: 'up{namespace="secret"}',
      }),
    ).toMatchObject({ status: 'denied' });
    const off = setup({ disabledTools: ['logs_tail'] });
    expect(await off.call('logs_tail', { namespace: 'shop' })).toMatchObject({
      status: 'denied',
      summary: 'the logs_tail tool is switched off (CHAT_TOOLS_DISABLED)',
    });
    expect(logs.requests.length).toBe(before);
    // Refused calls are still recorded, with the request that was asked for.
    expect(off.recorded.started).toEqual(['t1-1 logs_tail logs namespace=shop last 5 lines, 30m']);
  });

  it('stops at CHAT_MAX_TOOL_CALLS_PER_TURN and refuses bad input with a stable code', async () => {
    const { call } = setup();
    expect((await call('promql_query', { query: '   ' })).code).toBe('TARKA_CHAT_QUERY_INVALID');
    // An unknown tool is refused without counting; a refused input counts.
    expect((await call('no_such_tool', {})).code).toBe('TARKA_CHAT_QUERY_INVALID');
    expect((await call('promql_query', { query: 'x'.repeat(1001) })).code).toBe('TARKA_CHAT_QUERY_INVALID');
    expect(await call('logs_tail', { namespace: 'shop' })).toMatchObject({
      status: 'limited',
      code: 'TARKA_CHAT_TOOL_LIMIT',
    });
    const ranged = setup({ maxRangeMs: 3_600_000 });
    expect(await ranged.call('promql_query', { query: 'up', rangeMinutes: 120 })).toMatchObject({
      status: 'limited',
      code: 'TARKA_CHAT_TOOL_LIMIT',
    });
  });
});
