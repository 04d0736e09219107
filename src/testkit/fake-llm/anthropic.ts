import { chunks, json, sse, startFakeLlm, textOf, type FakeLlm, type ScriptedTurn } from './server.js';

// Anthropic messages API (POST {base}/messages): content blocks (text, tool_use), SSE events
// message_start .. message_stop, stop_reason, usage. Structured output arrives either through a
// forced tool (the library's `json` tool) or as text: the fake answers the way the request asks.

const stop = (t: ScriptedTurn, forcedTool: boolean) =>
  t.truncated ? 'max_tokens' : t.toolCalls?.length || forcedTool ? 'tool_use' : 'end_turn';

interface Block {
  type: 'text' | 'tool_use';
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
}

export function startFakeAnthropic(): Promise<FakeLlm> {
  return startFakeLlm((turn, req, res, model) => {
    const body = req.body as {
      stream?: boolean;
      tool_choice?: { type?: string; name?: string };
      tools?: { name: string }[];
    } | null;
    const forced = body?.tool_choice?.type === 'tool' ? body.tool_choice.name : undefined;
    const text = textOf(turn);
    const blocks: Block[] = [];
    if (forced && turn.text !== undefined) {
      // The model answers a forced tool with the tool's input: the structured object.
      let input: unknown;
      try {
        input = typeof turn.text === 'string' ? JSON.parse(turn.text) : turn.text;
      } catch {
        input = { raw: turn.text };
      }
      blocks.push({ type: 'tool_use', id: 'toolu_json', name: forced, input });
    } else if (text) blocks.push({ type: 'text', text });
    (turn.toolCalls ?? []).forEach((c, i) =>
      blocks.push({ type: 'tool_use', id: `toolu_${i + 1}`, name: c.name, input: c.args }),
    );
    const id = `msg_${Date.now()}`;
    const usage =
      turn.usage === null
        ? null
        : { input_tokens: turn.usage?.input ?? 10, output_tokens: turn.usage?.output ?? 2 };
    if (!body?.stream) {
      json(res, {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: blocks,
        stop_reason: stop(turn, Boolean(forced)),
        stop_sequence: null,
        ...(usage ? { usage } : {}),
      });
      return;
    }
    const send = sse(res);
    send(
      {
        type: 'message_start',
        message: {
          id,
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          ...(usage ? { usage: { input_tokens: usage.input_tokens, output_tokens: 0 } } : {}),
        },
      },
      'message_start',
    );
    blocks.forEach((b, index) => {
      if (b.type === 'text') {
        send(
          { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
          'content_block_start',
        );
        for (const c of chunks(b.text ?? ''))
          send(
            { type: 'content_block_delta', index, delta: { type: 'text_delta', text: c } },
            'content_block_delta',
          );
      } else {
        send(
          {
            type: 'content_block_start',
            index,
            content_block: { type: 'tool_use', id: b.id, name: b.name, input: {} },
          },
          'content_block_start',
        );
        send(
          {
            type: 'content_block_delta',
            index,
            delta: { type: 'input_json_delta', partial_json: JSON.stringify(b.input) },
          },
          'content_block_delta',
        );
      }
      send({ type: 'content_block_stop', index }, 'content_block_stop');
    });
    send(
      {
        type: 'message_delta',
        delta: { stop_reason: stop(turn, Boolean(forced)), stop_sequence: null },
        ...(usage ? { usage: { output_tokens: usage.output_tokens } } : {}),
      },
      'message_delta',
    );
    send({ type: 'message_stop' }, 'message_stop');
    res.end();
  }, '/v1');
}
