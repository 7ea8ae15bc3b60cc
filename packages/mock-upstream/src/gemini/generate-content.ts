// Google's Gemini API (`POST /v1beta/models/{model}:generateContent` and `:streamGenerateContent?alt=sse`):
// the deterministic reply in Gemini's wire format, with the behaviour's faults and Gemini-shaped errors.
import { contentPieces } from "../content-pieces.js";
import { BehaviorError, resolveBehavior, type BehaviorRules, type MockBehavior } from "../behavior.js";
import type { Exchange } from "../exchange.js";
import { respondJson, retryHeaders, sendJson } from "../http.js";
import type { IdSource } from "../ids.js";
import { jsonText } from "../raw-json.js";
import { planReply, type ReplyPlan, type StopKind } from "../reply.js";
import { sendStream, type SseEvent } from "../sse.js";
import { batchEmbedContents } from "./batch-embed-contents.js";
import { findNonStringEnum } from "./check-schema-enums.js";
import { checkThinkingBudget } from "./check-thinking-budget.js";
import { geminiError, geminiInvalid } from "./errors.js";
import { readGenerateContentRequest, type GeminiThoughts } from "./generate-content-request.js";

const PATH = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent|batchEmbedContents)$/;

export function isGeminiPath(path: string): boolean {
  return PATH.test(path);
}

function finishReason(stop: StopKind): string {
  return stop === "length" ? "MAX_TOKENS" : "STOP";
}

function parseArgs(args: string): unknown {
  try {
    return JSON.parse(args);
  } catch {
    return {};
  }
}

function usageMetadata(plan: ReplyPlan, promptWords: number, behavior: MockBehavior, thinking: GeminiThoughts) {
  const u = behavior.usage;
  const prompt = u?.prompt_tokens ?? promptWords;
  const candidates = u?.completion_tokens ?? plan.outputWords;
  const thoughts = thinking === "off" ? 0 : plan.thinkingWords;
  return {
    promptTokenCount: prompt,
    candidatesTokenCount: candidates,
    ...(u?.cached_tokens ? { cachedContentTokenCount: u.cached_tokens } : {}),
    ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
    totalTokenCount: prompt + candidates + thoughts,
  };
}

export async function geminiGenerateContent(ex: Exchange, path: string, body: unknown, unparsable: boolean, rules: BehaviorRules, ids: IdSource): Promise<void> {
  const m = PATH.exec(path)!;
  const stream = m[2] === "streamGenerateContent";
  if (ex.req.method !== "POST") return sendJson(ex.res, 404, geminiError(404));
  if (unparsable || (body !== undefined && (typeof body !== "object" || body === null || Array.isArray(body)))) {
    return sendJson(ex.res, 400, geminiInvalid("Invalid JSON payload received."));
  }
  const json = (body ?? {}) as Record<string, unknown>;
  const embed = m[2] === "batchEmbedContents";
  if (!embed && (!Array.isArray(json.contents) || json.contents.length === 0)) return sendJson(ex.res, 400, geminiInvalid("* GenerateContentRequest.contents: contents is not specified"));
  const badEnum = embed ? undefined : findNonStringEnum(json);
  if (badEnum !== undefined) return sendJson(ex.res, 400, geminiInvalid(badEnum));
  // The mock speaks only the SSE form of streaming; Gemini's default is a JSON array, which the gateway never asks for.
  if (stream && !/[?&]alt=sse(&|$)/.test(ex.req.url ?? "")) return sendJson(ex.res, 400, geminiInvalid("mock-upstream streams only with alt=sse"));

  let behavior: MockBehavior;
  try {
    ({ behavior } = resolveBehavior(ex.req.headers["x-mock-behavior"], decodeURIComponent(m[1]!), path, rules));
  } catch (err) {
    if (err instanceof BehaviorError) return sendJson(ex.res, 400, geminiInvalid(err.message));
    throw err;
  }
  if (behavior.latencyMs && !(await ex.wait(behavior.latencyMs))) return;
  if (behavior.stall === "before-headers") return;
  if (behavior.status !== undefined && behavior.status >= 400) {
    return sendJson(ex.res, behavior.status, geminiError(behavior.status, behavior), retryHeaders(behavior));
  }

  const model = decodeURIComponent(m[1]!).split("::")[0]!;
  if (embed) return batchEmbedContents(ex, model, json);
  const badBudget = checkThinkingBudget(model, json);
  if (badBudget !== undefined) return sendJson(ex.res, 400, geminiInvalid(badBudget));
  const input = readGenerateContentRequest(json);
  const plan = planReply(input, behavior, () => "");
  const responseId = ids.next("gem_");
  const usage = usageMetadata(plan, input.promptTokens, behavior, input.thoughts);
  // Thought summaries are returned only when asked for (generate-content-request.ts, GeminiThoughts).
  const thought = input.thoughts === "included" ? plan.thinking : undefined;
  const reason = finishReason(plan.stop);
  const calls = plan.toolCalls.map((c) => ({ functionCall: { name: c.name, args: parseArgs(c.arguments) } }));

  if (!stream) {
    const parts: object[] = [];
    if (thought) parts.push({ text: thought.text, thought: true });
    if (plan.content !== null) parts.push({ text: plan.content });
    parts.push(...calls);
    return respondJson(ex, behavior, {
      candidates: [{ content: { role: "model", parts }, finishReason: reason, index: 0 }],
      usageMetadata: usage,
      modelVersion: model,
      responseId,
    });
  }

  const ev = (parts: object[]): SseEvent => ({
    data: jsonText({ candidates: [{ content: { role: "model", parts }, index: 0 }], modelVersion: model, responseId }, behavior),
    content: true,
  });
  const events: SseEvent[] = [];
  if (thought) events.push(ev([{ text: thought.text, thought: true }]));
  if (plan.content !== null) for (const text of contentPieces(plan.content, behavior)) events.push(ev([{ text }]));
  if (calls.length > 0) events.push(ev(calls));
  // The last event carries the finishReason and the final usageMetadata, as Gemini's does.
  events.push({
    data: jsonText({ candidates: [{ content: { role: "model", parts: [{ text: "" }] }, finishReason: reason, index: 0 }], usageMetadata: usage, modelVersion: model, responseId }, behavior),
    done: true,
  });
  return sendStream(ex, events, behavior, { data: JSON.stringify(geminiError(503, behavior)) });
}
