import { chunks, json, sse, startFakeLlm, textOf, type FakeLlm, type ScriptedTurn } from './server.js';

// Google Gemini API (POST {base}/models/<model>:generateContent, :streamGenerateContent?alt=sse):
// candidates with parts (text, functionCall), finishReason, usageMetadata. Vertex AI's Gemini
// endpoints answer in the same shape.

const finish = (t: ScriptedTurn) => (t.truncated ? 'MAX_TOKENS' : 'STOP');
const usage = (t: ScriptedTurn) =>
  t.usage === null
    ? undefined
    : {
        promptTokenCount: t.usage?.input ?? 10,
        candidatesTokenCount: t.usage?.output ?? 2,
        totalTokenCount: (t.usage?.input ?? 10) + (t.usage?.output ?? 2),
      };
const calls = (t: ScriptedTurn) =>
  (t.toolCalls ?? []).map((c) => ({ functionCall: { name: c.name, args: c.args } }));

export function startFakeGemini(basePath = '/v1beta'): Promise<FakeLlm> {
  return startFakeLlm((turn, req, res) => {
    const text = textOf(turn);
    const candidate = (parts: object[], last: boolean) => ({
      content: { role: 'model', parts },
      index: 0,
      ...(last ? { finishReason: finish(turn) } : {}),
    });
    if (!req.path.includes(':streamGenerateContent')) {
      json(res, {
        candidates: [candidate([...(text ? [{ text }] : []), ...calls(turn)], true)],
        ...(usage(turn) ? { usageMetadata: usage(turn) } : {}),
      });
      return;
    }
    const send = sse(res);
    for (const c of chunks(text)) send({ candidates: [candidate([{ text: c }], false)] });
    send({
      candidates: [candidate(calls(turn).length ? calls(turn) : [{ text: '' }], true)],
      ...(usage(turn) ? { usageMetadata: usage(turn) } : {}),
    });
    res.end();
  }, basePath);
}
