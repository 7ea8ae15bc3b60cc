// A Messages request -> its route plan and, per candidate, how to serve it: passthrough for providers that
// speak the Messages API, translation to and from a chat call for OpenAI-shaped ones.
import { badRequest } from "../../core/http-error";
import { RUNESTONE_FIELDS } from "../../pipeline/prepare-chat";
import type { ChatCall, ChatRequest, ChunkEvent, PassthroughCall, SseEvent } from "../../core/provider-contract";
import type { Router } from "../../routing/router";
import type { Candidate, RoutePlan } from "../../core/route-plan";
import { hasCapability } from "../../routing/catalog";
import type { Tenant } from "../../core/tenant";
import { convertToAnthropicMessage } from "./convert-to-anthropic-message";
import { convertToChatRequest } from "./convert-to-chat-request";
import { createMessageStreamTransformer } from "./create-message-stream-transformer";
import type { MessageResponse, MessagesRequest } from "./messages-types";
import type { CandidateRunner } from "../../pipeline/run-on-candidates";

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
  const view: Record<string, unknown> = { model: body.model, messages: [], ...(body.tools?.length ? { tools: body.tools } : {}) };
  for (const f of RUNESTONE_FIELDS) if (body[f] !== undefined) view[f] = body[f];
  if (stream) view.stream = true;
  const plan = router.route(view as ChatRequest & Record<string, unknown>, tenant.allowedModels, { stream });
  const model = plan.candidates[0]?.model;
  if (model && !hasCapability(model, "chat")) {
    throw badRequest(`model '${model.id}' is not a chat model (capabilities: ${model.capabilities.join(", ")}); use it on its own endpoint`, "model", "model_not_supported");
  }
  const headers: Record<string, string> = {};
  for (const h of FORWARDED_HEADERS) {
    const v = clientHeaders[h];
    if (typeof v === "string" && v) headers[h] = v;
  }
  return { body, stream, plan, requestId, tenant, headers };
}

function passthroughCall(p: PreparedMessages, c: Candidate): PassthroughCall {
  const body: Record<string, unknown> = { ...p.body, model: c.upstreamModel };
  for (const f of RUNESTONE_FIELDS) delete body[f];
  return { body, stream: p.stream, headers: p.headers, requestId: p.requestId };
}

function chatCall(p: PreparedMessages, c: Candidate): ChatCall {
  // A passthrough candidate never reads its chat call; translating for it could refuse blocks Anthropic accepts.
  const body = c.provider.passthrough
    ? (p.body as unknown as ChatRequest & Record<string, unknown>)
    : convertToChatRequest(p.body, { kind: c.provider.kind, family: c.model.family });
  return {
    body,
    upstreamModel: c.upstreamModel,
    publicModel: c.model.id,
    stream: p.stream,
    // The usage chunk is what message_delta reports.
    clientWantsUsage: true,
    defaultMaxTokens: c.model.maxOutputTokens,
    defaultsWithTools: c.model.defaultsWithTools,
    requestId: p.requestId,
  };
}

/** Non-streaming: the upstream's message as sent (passthrough), or the chat completion translated. */
export function messageRunner(p: PreparedMessages): CandidateRunner<MessageResponse, never> {
  return {
    callFor: (c) => chatCall(p, c),
    async complete(c, call, signal) {
      if (c.provider.passthrough) return (await c.provider.passthrough(passthroughCall(p, c), signal)) as MessageResponse;
      return convertToAnthropicMessage(await c.provider.complete(call, signal), c.model.id);
    },
  };
}

/** Streaming: the upstream's events as sent (passthrough), or the chunks translated to Messages events. */
export function messageStreamRunner(p: PreparedMessages): CandidateRunner<never, SseEvent> {
  return {
    callFor: (c) => chatCall(p, c),
    async stream(c, call, signal) {
      if (c.provider.passthroughStream) return c.provider.passthroughStream(passthroughCall(p, c), signal);
      return translateStream(await c.provider.stream(call, signal), c.model.id);
    },
  };
}

async function* translateStream(chunks: AsyncIterable<ChunkEvent>, publicModel: string): AsyncGenerator<SseEvent> {
  const transformer = createMessageStreamTransformer(publicModel);
  const out: SseEvent[] = [];
  const sink = { enqueue: (e: SseEvent) => void out.push(e) };
  for await (const { chunk } of chunks) {
    transformer.transform(chunk, sink);
    while (out.length) yield out.shift()!;
  }
  transformer.flush(sink);
  while (out.length) yield out.shift()!;
}
