// A Messages request -> its route plan and, per candidate, how to serve it: passthrough for providers that
// speak the Messages API, translation to and from a chat call for OpenAI-shaped ones.
import { estimateMessageTokens } from "../../core/estimate-tokens";
import { chatCallFor } from "../../pipeline/prepare-chat";
import { runestoneFieldsOf, withoutRunestoneFields } from "../../core/runestone-fields";
import type { ChatCall, ChatRequest, ChunkEvent, PassthroughCall, SseEvent } from "../../core/provider-contract";
import { badRequest } from "../../core/http-error";
import { RequestTranslationError } from "../../core/request-translation-error";
import { hasCapability } from "../../routing/catalog";
import type { Router } from "../../routing/router";
import type { Candidate, RoutePlan } from "../../core/route-plan";
import type { Tenant } from "../../core/tenant";
import { convertToAnthropicMessage } from "./convert-to-anthropic-message";
import { convertToChatRequest } from "./convert-to-chat-request";
import { createMessageStreamTransformer } from "./create-message-stream-transformer";
import type { MessageResponse, MessagesRequest } from "./messages-types";
import type { CandidateRunner } from "../../pipeline/run-on-candidates";
import { readAnthropicMessage } from "../../providers/anthropic/read-anthropic-message";

/** Client headers an Anthropic upstream honours; everything else (its key above all) stays here. */
const FORWARDED_HEADERS = ["anthropic-version", "anthropic-beta"] as const;

export interface PreparedMessages {
  body: MessagesRequest & Record<string, unknown>;
  stream: boolean;
  plan: RoutePlan;
  requestId: string;
  tenant: Tenant;
  /** The forwarded client headers, for passthrough. */
  headers: Record<string, string>;
  /** The prompt's estimated tokens (without `max_tokens`): what admission reserves and a translated stream's message_start reports. */
  promptTokens: number;
}

export function prepareMessages(
  router: Router,
  body: MessagesRequest & Record<string, unknown>,
  tenant: Tenant,
  requestId: string,
  clientHeaders: Record<string, string | string[] | undefined>,
): PreparedMessages {
  const stream = body.stream === true;
  // Routing reads the chat fields it knows; the Messages body shares model, stream, tools and Runestone's fields.
  const view: Record<string, unknown> = { model: body.model, messages: [], ...(body.tools?.length ? { tools: body.tools } : {}), ...runestoneFieldsOf(body) };
  if (stream) view.stream = true;
  const structured = body.output_config?.format != null;
  // Structured output needs a json_mode model (the cost policy chooses only those).
  if (structured) view.response_format = { type: "json_schema" };
  const routed = router.route(view as ChatRequest & Record<string, unknown>, tenant.allowedModels, { stream });
  const plan = structured ? structuredCandidates(routed) : routed;
  const headers = forwardedHeaders(clientHeaders);
  const promptTokens = estimateMessageTokens(body) - body.max_tokens;
  return { body, stream, plan, requestId, tenant, headers, promptTokens };
}

/** The client headers a native Messages upstream gets (`anthropic-version`, `anthropic-beta`). */
export function forwardedHeaders(clientHeaders: Record<string, string | string[] | undefined>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of FORWARDED_HEADERS) {
    const v = clientHeaders[h];
    if (typeof v === "string" && v) headers[h] = v;
  }
  return headers;
}

/**
 * Anthropic models take `output_config.format` as sent; a translated one gets `response_format`, which only a
 * model with `json_mode` honours. A translated deployment that cannot is no candidate (a fallback to it would
 * answer free-form, ignoring the schema); with none left the client gets a 400 naming the field, before any
 * upstream call.
 */
function structuredCandidates(plan: RoutePlan): RoutePlan {
  const fit = plan.candidates.filter((c) => c.provider.passthrough || hasCapability(c.model, "json_mode"));
  if (fit.length === plan.candidates.length) return plan;
  const unfit = plan.candidates.find((c) => !fit.includes(c))!;
  if (!fit.length) {
    throw badRequest(
      `model '${unfit.model.id}' cannot honour output_config.format (structured outputs): its deployment on provider '${unfit.provider.id}' is served by translation to a chat completion and the model has no 'json_mode' capability`,
      "output_config.format",
      "unsupported_parameter",
    );
  }
  return { ...plan, candidates: fit };
}

function passthroughCall(p: PreparedMessages, c: Candidate): PassthroughCall {
  return { body: withoutRunestoneFields(p.body, { model: c.upstreamModel }), stream: p.stream, headers: p.headers, requestId: p.requestId };
}

function chatCall(p: PreparedMessages, c: Candidate): ChatCall {
  // A passthrough candidate never reads its chat call; translating for it could refuse blocks Anthropic accepts.
  const body = c.provider.passthrough
    ? (p.body as unknown as ChatRequest & Record<string, unknown>)
    : convertToChatRequest(p.body, { kind: c.provider.kind, family: c.model.family });
  // The usage chunk is what message_delta reports.
  return chatCallFor(body, c, { stream: p.stream, clientWantsUsage: true, requestId: p.requestId });
}

/** Non-streaming: the upstream's message as sent (passthrough), or the chat completion translated. */
export function messageRunner(p: PreparedMessages): CandidateRunner<MessageResponse, never> {
  return {
    callFor: (c) => chatCall(p, c),
    async complete(c, call, signal) {
      if (c.provider.passthrough) return readAnthropicMessage(await c.provider.passthrough(passthroughCall(p, c), signal), c.provider.id) as unknown as MessageResponse;
      return convertToAnthropicMessage(await c.provider.complete(call, signal).catch(inClientTerms), c.model.id);
    },
  };
}

/** Streaming: the upstream's events as sent (passthrough), or the chunks translated to Messages events. */
export function messageStreamRunner(p: PreparedMessages): CandidateRunner<never, SseEvent> {
  return {
    callFor: (c) => chatCall(p, c),
    async stream(c, call, signal) {
      if (c.provider.passthroughStream) return c.provider.passthroughStream(passthroughCall(p, c), signal);
      return translateStream(await c.provider.stream(call, signal).catch(inClientTerms), c.model.id, p.promptTokens);
    },
  };
}

/**
 * A provider that refuses the `response_format` our translation made of `output_config.format` (Bedrock, say)
 * names the field the Messages client actually sent.
 */
function inClientTerms(err: unknown): never {
  if (err instanceof RequestTranslationError && err.param.startsWith("response_format")) {
    throw new RequestTranslationError(`output_config.format cannot be honoured by this model's provider (${err.message})`, "output_config.format");
  }
  throw err;
}

async function* translateStream(chunks: AsyncIterable<ChunkEvent>, publicModel: string, inputTokensEstimate: number): AsyncGenerator<SseEvent> {
  const transformer = createMessageStreamTransformer(publicModel, { inputTokensEstimate });
  const out: SseEvent[] = [];
  const sink = { enqueue: (e: SseEvent) => void out.push(e) };
  for await (const { chunk } of chunks) {
    transformer.transform(chunk, sink);
    while (out.length) yield out.shift()!;
  }
  transformer.flush(sink);
  while (out.length) yield out.shift()!;
}
