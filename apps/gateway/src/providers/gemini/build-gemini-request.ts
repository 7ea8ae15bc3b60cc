import type { AdapterContext, ChatCall, UpstreamHttpRequest } from "../../core/provider-contract";
import { RequestTranslationError } from "../../core/request-translation-error";
import type { OpenAIRequestView } from "../anthropic/openai-input-types";
import { convertToGeminiContents } from "./convert-to-gemini-contents";
import type { GeminiGenerationConfig, GeminiRequest } from "./gemini-types";
import { mapGeminiThinking } from "./map-gemini-thinking";
import { prepareGeminiTools } from "./prepare-gemini-tools";
import { toGeminiSchema } from "./to-gemini-schema";

type RequestView = OpenAIRequestView & {
  seed?: number | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
};

/**
 * `POST /v1beta/models/{model}:generateContent`, or `:streamGenerateContent?alt=sse` for a stream, with the
 * key in `x-goog-api-key` (never in the URL, where it would reach access logs). Fields Gemini has no
 * equivalent for (logprobs, logit_bias, user, ...) are dropped silently, as OpenAI-compatible servers do.
 */
export function buildGeminiRequest(call: ChatCall, ctx: AdapterContext): UpstreamHttpRequest {
  const model = encodeURIComponent(call.upstreamModel);
  return {
    path: call.stream ? `/v1beta/models/${model}:streamGenerateContent?alt=sse` : `/v1beta/models/${model}:generateContent`,
    headers: { "content-type": "application/json", "x-goog-api-key": ctx.apiKey, ...ctx.headers },
    body: JSON.stringify(buildGeminiBody(call)),
  };
}

export function buildGeminiBody(call: ChatCall): GeminiRequest {
  const body = call.body as RequestView;
  const modality = body.modalities?.find((m) => m !== "text");
  if (modality !== undefined) throw new RequestTranslationError(`output modality '${modality}' is not supported by this gateway for Gemini models`, "modalities");

  const { system, contents } = convertToGeminiContents(body.messages ?? []);
  const request: GeminiRequest = { contents };
  if (system.length > 0) request.systemInstruction = { parts: system.map((text) => ({ text })) };
  Object.assign(request, prepareGeminiTools(body));
  const generationConfig = buildGenerationConfig(body);
  if (Object.keys(generationConfig).length > 0) request.generationConfig = generationConfig;
  return request;
}

function buildGenerationConfig(body: RequestView): GeminiGenerationConfig {
  const config: GeminiGenerationConfig = {};
  if (typeof body.temperature === "number") config.temperature = body.temperature;
  if (typeof body.top_p === "number") config.topP = body.top_p;
  if (typeof body.top_k === "number") config.topK = body.top_k;
  const max = body.max_completion_tokens ?? body.max_tokens;
  if (typeof max === "number") config.maxOutputTokens = max;
  const stop = typeof body.stop === "string" ? [body.stop] : Array.isArray(body.stop) ? body.stop : [];
  if (stop.length > 0) config.stopSequences = stop;
  if (typeof body.n === "number" && body.n > 1) config.candidateCount = body.n;
  if (typeof body.seed === "number") config.seed = body.seed;
  if (typeof body.presence_penalty === "number") config.presencePenalty = body.presence_penalty;
  if (typeof body.frequency_penalty === "number") config.frequencyPenalty = body.frequency_penalty;
  const thinking = mapGeminiThinking(body.reasoning_effort, config.maxOutputTokens);
  if (thinking) config.thinkingConfig = thinking;

  const format = body.response_format;
  if (format?.type === "json_object") {
    config.responseMimeType = "application/json";
  } else if (format?.type === "json_schema") {
    config.responseMimeType = "application/json";
    if (format.json_schema?.schema) config.responseSchema = toGeminiSchema(format.json_schema.schema);
  } else if (format?.type !== undefined && format.type !== "text") {
    throw new RequestTranslationError(`response_format type '${String(format.type)}' is not supported by Gemini models`, "response_format.type");
  }
  return config;
}
