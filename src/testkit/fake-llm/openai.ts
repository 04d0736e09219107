import { chunks, json, sse, startFakeLlm, textOf, type FakeLlm, type ScriptedTurn } from './server.js';

// OpenAI chat completions (POST {base}/chat/completions), the protocol OpenAI, Azure OpenAI and the
// local servers (Ollama, vLLM, llama.cpp, LM Studio) share: JSON or SSE chunks, tool_calls, usage.

const finish = (t: ScriptedTurn) => (t.truncated ? 'length' : t.toolCalls?.length ? 'tool_calls' : 'stop');
const usage = (t: ScriptedTurn) =>
  t.usage === null
    ? undefined
    : {
        prompt_tokens: t.usage?.input ?? 10,
        completion_tokens: t.usage?.output ?? 2,
        total_tokens: (t.usage?.input ?? 10) + (t.usage?.output ?? 2),
      };
const toolCalls = (t: ScriptedTurn) =>
  (t.toolCalls ?? []).map((c, i) => ({
    id: `call_${i + 1}`,
    type: 'function',
    function: { name: c.name, arguments: JSON.stringify(c.args) },
  }));

export function startFakeOpenAi(): Promise<FakeLlm> {
  return startFakeLlm(async (turn, req, res, model) => {
    const body = req.body as { stream?: boolean } | null;
    const id = `chatcmpl-${req.path.length}-${Date.now()}`;
    const created = Math.floor(Date.now() / 1000);
    const text = textOf(turn);
    if (!body?.stream) {
      const calls = toolCalls(turn);
      json(res, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: text || null,
              ...(calls.length ? { tool_calls: calls } : {}),
            },
            finish_reason: finish(turn),
          },
        ],
        ...(usage(turn) ? { usage: usage(turn) } : {}),
      });
      return;
    }
    const send = sse(res);
    const chunk = (delta: object, finish_reason: string | null = null) =>
      send({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        choices: [{ index: 0, delta, finish_reason }],
      });
    chunk({ role: 'assistant', content: '' });
    for (const c of chunks(text)) {
      chunk({ content: c });
      if (turn.chunkDelayMs) await new Promise((r) => setTimeout(r, turn.chunkDelayMs));
    }
    toolCalls(turn).forEach((c, index) =>
      chunk({ tool_calls: [{ index, id: c.id, type: 'function', function: c.function }] }),
    );
    chunk({}, finish(turn));
    if (usage(turn))
      send({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: usage(turn) });
    send('[DONE]');
    res.end();
  }, '/v1');
}
