import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectorRunner } from '../../src/projections/engine/runner.js';
import { alertPayload, caseId } from '../console/fixtures.js';
import { startConsoleApp, type ConsoleApp, startChatAnswerer } from '../console/harness.js';

// Chat over the live websocket: turns and tool calls arrive as frames while they run, and a console
// that reconnects with its last sync gets the chat rows it missed, like every other row.

interface Frame {
  type: string;
  seq: number;
  caseId?: string | null;
  turn?: { turnId: string; status: string; text: string };
  call?: { turnId: string; tool: string; status: string };
}

async function connect(url: string, since?: number) {
  const ws = new WebSocket(
    `${url.replace('http', 'ws')}/api/live${since === undefined ? '' : `?since=${since}`}`,
  );
  const frames: Frame[] = [];
  ws.onmessage = (ev) => frames.push(JSON.parse(String(ev.data)) as Frame);
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error('websocket failed'));
  });
  const until = async (match: (f: Frame[]) => boolean, ms = 15_000) => {
    const end = Date.now() + ms;
    while (!match(frames)) {
      if (Date.now() > end) throw new Error(`not seen; got ${JSON.stringify(frames.slice(-4))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { ws, frames, until };
}

describe('chat on the live feed', () => {
  let t: ConsoleApp;
  let answerer: ProjectorRunner;
  beforeAll(async () => {
    t = await startConsoleApp();
    answerer = startChatAnswerer(t.ctx);
    await t.postAlerts(
      alertPayload([
        {
          fingerprint: 'live0001',
          labels: { alertname: 'KubePodCrashLooping', namespace: 'shop', pod: 'a-1' },
        },
      ]),
    );
    await t.caught();
  }, 60_000);
  afterAll(async () => {
    await answerer?.stop();
    await t?.close();
  });

  const ask = async (text: string) => {
    const res = await fetch(`${t.url}/api/cases/${caseId('live0001')}/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { turnId: string }).turnId;
  };

  // No investigation ran for this case: the report tool finds nothing (empty), and says so.
  it('streams the question, its tool call as it runs and ends, and the answer', async () => {
    const c = await connect(t.url);
    // The gateway counts a socket in once it said hello; a question asked before that would be
    // answered before the socket joins (its rows are then in what a console fetches, not frames).
    await c.until((fs) => fs.some((f) => f.type === 'hello'));
    const turnId = await ask('summary');
    await c.until((fs) =>
      fs.some((f) => f.type === 'chat_turn' && f.turn?.turnId === turnId && f.turn.status === 'answered'),
    );
    const mine = c.frames.filter((f) => f.turn?.turnId === turnId || f.call?.turnId === turnId);
    expect(mine.every((f) => f.caseId === caseId('live0001'))).toBe(true);
    expect(
      mine.some((f) => f.type === 'chat_call' && f.call?.tool === 'case_report' && f.call.status === 'empty'),
    ).toBe(true);
    c.ws.close();
  });

  it('sends a reconnecting console the chat rows it missed', async () => {
    const first = await connect(t.url);
    await first.until((fs) => fs.some((f) => f.type === 'hello'));
    const last = first.frames.find((f) => f.type === 'hello')!.seq;
    first.ws.close();
    // Asked and answered while this console was away.
    const turnId = await ask('what changed?');
    const back = await connect(t.url);
    await back.until((fs) => fs.some((f) => f.type === 'hello'));
    back.ws.close();
    const again = await connect(t.url, last);
    await again.until((fs) =>
      fs.some((f) => f.type === 'chat_turn' && f.turn?.turnId === turnId && f.turn.status === 'answered'),
    );
    expect(again.frames[0]).toMatchObject({ type: 'hello', resumed: true });
    expect(
      again.frames.some(
        (f) => f.type === 'chat_turn' && f.turn?.turnId === turnId && f.turn.text === 'what changed?',
      ),
    ).toBe(true);
    again.ws.close();
  });
});
