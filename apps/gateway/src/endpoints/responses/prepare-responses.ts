// A Responses API request -> its route plan and, per candidate, how to serve it: passthrough to providers
// that serve the Responses API natively (OpenAI), translation to and from a chat call for every other one.
import { badRequest } from "../../core/http-error";
import { toHttpError } from "../../core/to-http-error";
import { UpstreamError } from "../../core/upstream-error";
import type { ChatCall, ChatCompletion, ChatRequest, ChunkEvent, ResponsesCall, SseEvent } from "../../core/provider-contract";
import type { Candidate, RoutePlan } from "../../core/route-plan";
import type { Tenant } from "../../core/tenant";
import { chatCallFor } from "../../pipeline/prepare-chat";
import { runestoneFieldsOf, withoutRunestoneFields } from "../../core/runestone-fields";
import type { CandidateRunner } from "../../pipeline/run-on-candidates";
import { hasCapability } from "../../routing/catalog";
import type { Router } from "../../routing/router";
import { convertToChatRequest } from "./convert-to-chat-request";
import { convertToResponse } from "./convert-to-response";
import { createResponseStreamTransformer } from "./create-response-stream-transformer";
import type { NewId } from "./response-ids";
import { responseShell } from "./response-shell";
import { stripGatewayItems } from "./strip-gateway-items";
import type { ResponseObject, ResponsesBody } from "./responses-types";

export interface PreparedResponses {
  /** The request to serve: the client's, with a stored conversation expanded into `input` (previous_response_id removed). */
  body: ResponsesBody;
  /** The request as the client sent it: what a translated response echoes (its previous_response_id included). */
  clientBody: ResponsesBody;
  stream: boolean;
  plan: RoutePlan;
  requestId: string;
  tenant: Tenant;
  newId: NewId;
  /** Unix seconds: the created_at of a response the gateway builds. */
  createdAt: number;
  /** The prompt's estimated tokens, for a translated stream whose upstream reports no usage. */
  promptEstimate: number;
  /** The chat translation, made on first use (a passthrough-only plan never needs it). */
  chat?: ChatRequest & Record<string, unknown>;
  /** The same without thinking blocks, for providers other than Anthropic (made on first use). */
  chatWithoutThinking?: ChatRequest & Record<string, unknown>;
}

export function isPassthrough(c: Candidate): boolean {
  return c.provider.responses !== undefined && c.provider.responsesStream !== undefined;
}

export function prepareResponses(
  router: Router,
  body: ResponsesBody,
  clientBody: ResponsesBody,
  tenant: Tenant,
  requestId: string,
  newId: NewId,
  promptEstimate: number,
): PreparedResponses {
  const stream = body.stream === true;
  const functionTools = (body.tools ?? []).filter((t) => t.type === "function");
  let plan = router.route(routingView(body, stream), tenant.allowedModels, { stream });
  const model = plan.candidates[0]?.model;
  if (model && !hasCapability(model, "chat")) {
    throw badRequest(`model '${model.id}' is not a chat model (capabilities: ${model.capabilities.join(", ")}); use it on its own endpoint`, "model", "model_not_supported");
  }
  if (plan.policy === "cost" && functionTools.length) {
    // A deployment that serves the Responses API serves function tools there even when its chat API does not
    // (GPT-6.2 on chat completions): the chat `function_calling` capability is asked of translated ones only.
    const candidates = plan.candidates.filter((c) => isPassthrough(c) || hasCapability(c.model, "function_calling"));
    if (!candidates.length) {
      throw badRequest("No deployment satisfies the routing constraints: 'tools' ruled out every candidate: the request needs 'function_calling' (because of 'tools') and no remaining model has it.", "tools", "no_route");
    }
    plan = { ...plan, candidates };
  }
  if ((body.tools ?? []).some((t) => t.type !== "function") && plan.candidates.some(isPassthrough)) {
    // Built-in tools (web_search, file_search, mcp, ...) exist only on the Responses API itself: a deployment that
    // would need translation cannot serve the request, so it is no candidate (alone, it answers the 400 naming them).
    plan = { ...plan, candidates: plan.candidates.filter(isPassthrough) };
  }
  if (body.prompt !== undefined && body.prompt !== null) {
    // A stored prompt template lives at OpenAI, which alone can expand it: only its deployments can serve it.
    const candidates = plan.candidates.filter(isPassthrough);
    if (!candidates.length) {
      throw badRequest(`'prompt' (an OpenAI stored prompt template) can only be served by an OpenAI deployment; '${model?.id ?? body.model}' is not one. Send the prompt's text as input instead.`, "prompt", "unsupported_parameter");
    }
    plan = { ...plan, candidates };
  }
  return { body, clientBody, stream, plan, requestId, tenant, newId, createdAt: Math.floor(Date.now() / 1000), promptEstimate };
}

/**
 * What the router reads, in chat terms: the model and Runestone's fields, and for the cost policy what the
 * request implies (images need vision, a JSON format json_mode, the prompt's size a context window). Tools
 * are left out: prepareResponses applies the function_calling need per deployment.
 */
function routingView(body: ResponsesBody, stream: boolean): ChatRequest & Record<string, unknown> {
  const view: Record<string, unknown> = { messages: [{ role: "user", content: viewContent(body) }] };
  if (body.model !== undefined) view.model = body.model;
  Object.assign(view, runestoneFieldsOf(body));
  const format = body.text?.format?.type;
  if (format === "json_schema" || format === "json_object") view.response_format = { type: format };
  if (typeof body.max_output_tokens === "number") view.max_completion_tokens = body.max_output_tokens;
  if (stream) view.stream = true;
  return view as ChatRequest & Record<string, unknown>;
}

/** The input's text (for the prompt estimate) and, when it holds an image, one image part (for the vision need). */
function viewContent(body: ResponsesBody): Array<Record<string, unknown>> {
  let text = typeof body.instructions === "string" ? body.instructions : "";
  let image = false;
  const items = typeof body.input === "string" ? [{ content: body.input }] : (body.input ?? []);
  for (const item of items) {
    const content = (item as { content?: unknown; output?: unknown; arguments?: unknown }).content ?? (item as { output?: unknown }).output;
    if (typeof content === "string") text += content;
    else if (Array.isArray(content)) {
      for (const p of content as Array<{ type?: string; text?: unknown }>) {
        if (typeof p?.text === "string") text += p.text;
        if (p?.type === "input_image") image = true;
      }
    }
    const args = (item as { arguments?: unknown }).arguments;
    if (typeof args === "string") text += args;
  }
  return image ? [{ type: "text", text }, { type: "image_url", image_url: { url: "" } }] : [{ type: "text", text }];
}

/**
 * The body an OpenAI deployment gets: the client's, with `model` the deployment's name, Runestone's fields
 * removed, and the gateway's own items of a translated conversation made fit for OpenAI (strip-gateway-items.ts).
 */
function responsesCall(p: PreparedResponses, c: Candidate): ResponsesCall {
  const input = Array.isArray(p.body.input) ? { input: stripGatewayItems(p.body.input) } : {};
  return { body: withoutRunestoneFields(p.body, { model: c.upstreamModel, ...input }), stream: p.stream, requestId: p.requestId };
}

function chatCall(p: PreparedResponses, c: Candidate): ChatCall {
  // A passthrough candidate never reads its chat call; translating for it could refuse what OpenAI accepts.
  const body = isPassthrough(c) ? ({ messages: [] } as unknown as ChatRequest & Record<string, unknown>) : chatFor(p, c);
  // The usage chunk is what response.completed reports.
  return chatCallFor(body, c, { stream: p.stream, clientWantsUsage: true, requestId: p.requestId });
}

/**
 * The chat translation for a translated candidate. Thinking blocks (from reasoning items the gateway made of
 * Anthropic's thinking) go to Anthropic alone: another provider's chat API does not know the field, and a
 * strict one would refuse it.
 */
function chatFor(p: PreparedResponses, c: Candidate): ChatRequest & Record<string, unknown> {
  const chat = (p.chat ??= convertToChatRequest(p.body));
  if (c.provider.kind === "anthropic" || !chat.messages.some((m) => "thinking_blocks" in m)) return chat;
  return (p.chatWithoutThinking ??= { ...chat, messages: chat.messages.map((m) => omitThinking(m)) });
}

function omitThinking<T extends object>(message: T): T {
  if (!("thinking_blocks" in message)) return message;
  const { thinking_blocks: _, ...rest } = message as T & { thinking_blocks?: unknown };
  return rest as T;
}

function shellFor(p: PreparedResponses, c: Candidate): ResponseObject {
  return responseShell(p.clientBody, { id: p.newId("resp"), createdAt: p.createdAt, model: c.model.id, provider: c.provider.id, routingPolicy: p.plan.policy, requestId: p.requestId });
}

/** What a candidate answered: the response object, and the completion when it was translated (for accounting). */
export interface ResponsesAnswer {
  response: ResponseObject;
  completion?: ChatCompletion;
}

/** Non-streaming: the upstream's response as sent (passthrough), or the chat completion translated. */
export function responsesRunner(p: PreparedResponses): CandidateRunner<ResponsesAnswer, never> {
  return {
    callFor: (c) => chatCall(p, c),
    async complete(c, call, signal) {
      if (isPassthrough(c)) return { response: withPreviousId(p, (await c.provider.responses!(responsesCall(p, c), signal)) as ResponseObject) };
      const completion = await c.provider.complete(call, signal);
      return { response: convertToResponse(completion, shellFor(p, c), p.newId), completion };
    },
  };
}

/** Streaming: the upstream's events as sent (passthrough), or the chunks translated to Responses events. */
export function responsesStreamRunner(p: PreparedResponses): CandidateRunner<never, SseEvent> {
  return {
    callFor: (c) => chatCall(p, c),
    async stream(c, call, signal) {
      if (isPassthrough(c)) {
        const events = await c.provider.responsesStream!(responsesCall(p, c), signal);
        return typeof p.clientBody.previous_response_id === "string" ? withPreviousIdEvents(p, events) : events;
      }
      const transformer = createResponseStreamTransformer({ shell: shellFor(p, c), newId: p.newId, inputTokensEstimate: p.promptEstimate });
      return translateStream(await c.provider.stream(call, signal), transformer);
    },
  };
}

/**
 * A passthrough answer names the previous response the client gave: the gateway expanded it into the input and
 * never forwarded it (expand-conversation.ts), so OpenAI's answer says null. The stored record is this object.
 */
function withPreviousId(p: PreparedResponses, response: ResponseObject): ResponseObject {
  const previous = p.clientBody.previous_response_id;
  if (typeof previous === "string" && response && typeof response === "object") response.previous_response_id = previous;
  return response;
}

/** Events that carry the whole response (response.created, .in_progress, .completed, ...), as withPreviousId. */
const RESPONSE_EVENTS = new Set(["response.created", "response.in_progress", "response.queued", "response.completed", "response.incomplete", "response.failed"]);

async function* withPreviousIdEvents(p: PreparedResponses, events: AsyncIterable<SseEvent>): AsyncGenerator<SseEvent> {
  for await (const ev of events) {
    if (!ev.event || !RESPONSE_EVENTS.has(ev.event)) {
      yield ev;
      continue;
    }
    let data: { response?: ResponseObject } | undefined;
    try {
      data = JSON.parse(ev.data) as { response?: ResponseObject };
    } catch {
      // A malformed event goes on as it came, for the stream encoder to judge.
    }
    if (!data?.response || typeof data.response !== "object") yield ev;
    else {
      withPreviousId(p, data.response);
      yield { ...ev, data: JSON.stringify(data) };
    }
  }
}

/**
 * The chunks as Responses events. An upstream failure after the first chunk ends the stream with the
 * transformer's response.failed (the output so far), then is rethrown for the relay loop to record; a client
 * that went away gets nothing more.
 */
async function* translateStream(chunks: AsyncIterable<ChunkEvent>, transformer: ReturnType<typeof createResponseStreamTransformer>): AsyncGenerator<SseEvent> {
  const out: SseEvent[] = [];
  const sink = { enqueue: (e: SseEvent) => void out.push(e) };
  let started = false;
  try {
    for await (const { chunk } of chunks) {
      transformer.transform(chunk, sink);
      started = true;
      while (out.length) yield out.shift()!;
    }
  } catch (err) {
    // Before the first chunk the failure may still fall back to another candidate: nothing is said yet.
    if (!started || (err instanceof UpstreamError && err.kind === "aborted")) throw err;
    const e = toHttpError(err);
    transformer.fail(sink, { code: e.code ?? e.type, message: e.message });
    while (out.length) yield out.shift()!;
    throw err;
  }
  transformer.flush(sink);
  while (out.length) yield out.shift()!;
}
