import { positiveInt, stopList, type ReplyInput } from "../reply.js";
import { countWords } from "../text.js";

type Part = { text?: unknown; functionCall?: unknown; functionResponse?: { response?: unknown } };
type Content = { role?: unknown; parts?: Part[] };

function partsText(parts: Part[] | undefined): string {
  return (Array.isArray(parts) ? parts : []).map((p) => (typeof p?.text === "string" ? p.text : "")).join(" ").trim();
}

/**
 * What becomes of the reply's thinking (behaviour `reply.thinking`), as with Google's thinking models: its summary
 * is returned as `thought: true` parts only with `thinkingConfig.includeThoughts`; without it the model still
 * thinks (its tokens are in `thoughtsTokenCount`) but returns no thought; `thinkingBudget: 0` turns thinking off.
 */
export type GeminiThoughts = "included" | "hidden" | "off";

/**
 * Reads what the reply depends on from a Gemini generateContent request. A user turn of only function
 * responses is a tool result: the question is the earlier user text and no new call is planned.
 */
export function readGenerateContentRequest(body: Record<string, unknown>): ReplyInput & { promptTokens: number; thoughts: GeminiThoughts } {
  const contents = (Array.isArray(body.contents) ? body.contents : []) as Content[];
  const system = body.systemInstruction as { parts?: Part[] } | undefined;
  let promptTokens = system ? countWords(partsText(system.parts)) + 3 : 0;
  let lastUserText = "";
  for (const c of contents) {
    const parts = Array.isArray(c?.parts) ? c.parts : [];
    const results = parts.map((p) => (p?.functionResponse ? JSON.stringify(p.functionResponse.response ?? {}) : "")).join(" ");
    promptTokens += countWords(`${partsText(parts)} ${results}`) + 3;
    if (c?.role === "user" && parts.some((p) => typeof p?.text === "string")) lastUserText = partsText(parts);
  }

  const tools = (Array.isArray(body.tools) ? body.tools : []) as Array<{ functionDeclarations?: Array<{ name?: unknown }> }>;
  const declarations = tools.flatMap((t) => (Array.isArray(t?.functionDeclarations) ? t.functionDeclarations : []));
  const calling = (body.toolConfig as { functionCallingConfig?: { mode?: unknown; allowedFunctionNames?: unknown[] } } | undefined)?.functionCallingConfig;
  const last = contents[contents.length - 1];
  const answersTools = Array.isArray(last?.parts) && last.parts.some((p) => p?.functionResponse);
  let toolName: string | undefined;
  if (declarations.length > 0 && calling?.mode !== "NONE" && !answersTools) {
    const name = calling?.allowedFunctionNames?.[0] ?? declarations[0]?.name;
    toolName = typeof name === "string" ? name : undefined;
  }

  const config = (body.generationConfig ?? {}) as Record<string, unknown>;
  const thinking = (config.thinkingConfig ?? {}) as { includeThoughts?: unknown; thinkingBudget?: unknown };
  return {
    lastUserText,
    toolName,
    json: config.responseMimeType === "application/json",
    maxTokens: positiveInt(config.maxOutputTokens),
    stop: stopList(config.stopSequences),
    promptTokens,
    thoughts: thinking.thinkingBudget === 0 ? "off" : thinking.includeThoughts === true ? "included" : "hidden",
  };
}
