export { startFakeAnthropic } from './anthropic.js';
export { startFakeGemini } from './gemini.js';
export { startFakeOpenAi } from './openai.js';
export type { FakeLlm, RecordedRequest, Script, ScriptedToolCall, ScriptedTurn } from './server.js';
