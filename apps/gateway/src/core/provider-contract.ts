// The provider adapter contract, version 1.
//
// Our wire format is OpenAI's chat format, so it is also the internal format. A provider either
// speaks HTTP through a small, mostly pure `ProviderAdapter` (request builder, response mapper,
// stream transformer, error mapper) run by `HttpProvider`, or implements `Provider` directly
// (the in-process mock).
import type { Schema } from "@runestone/contract";
import type { UpstreamError } from "./upstream-error";

export type ChatRequest = Schema<"CreateChatCompletionRequest">;
export type ChatMessage = Schema<"ChatMessage">;
export type ChatCompletion = Schema<"CreateChatCompletionResponse">;
export type ChatCompletionChunk = Schema<"ChatCompletionChunk">;
export type Usage = Schema<"Usage">;
export type EmbeddingRequest = Schema<"CreateEmbeddingRequest">;
export type EmbeddingResponse = Schema<"CreateEmbeddingResponse">;

export type ProviderKind = "openai" | "openai-compatible" | "anthropic" | "gemini" | "bedrock" | "mock";

/** One call to one deployment, after routing. */
export interface ChatCall {
  /** The request exactly as the client sent it (no validator defaults), Runestone routing fields removed. */
  body: ChatRequest & Record<string, unknown>;
  /** The model name the upstream knows (the deployment's, not necessarily the public id). */
  upstreamModel: string;
  /** The public model id the client asked for (or that routing chose). */
  publicModel: string;
  stream: boolean;
  /** The client asked for a usage chunk (`stream_options.include_usage`). */
  clientWantsUsage: boolean;
  /** Default output cap for providers that require one (Anthropic), from the catalog. */
  defaultMaxTokens?: number;
  /** Fields to set when the request carries tools and the client left them out (the catalog's `defaults_with_tools`). */
  defaultsWithTools?: Record<string, unknown>;
  requestId: string;
}

/** A decoded Server-Sent Event from an upstream. */
export interface SseEvent {
  event?: string;
  data: string;
  id?: string;
  /** Set by a translation whose usage in this event is the gateway's estimate (the upstream reported none): accounting flags it so. */
  usageEstimated?: true;
}

/** What a stream yields: an OpenAI chunk, and its JSON text when it can be passed on unchanged. */
export interface ChunkEvent {
  chunk: ChatCompletionChunk;
  raw?: string;
}

/** Receives transformed output; a subset of TransformStreamDefaultController. */
export interface ChunkSink {
  enqueue(event: ChunkEvent): void;
  error(reason: UpstreamError): void;
}

/**
 * Stateful per-stream transformer with the shape of a web `Transformer` (start/transform/flush),
 * so it can also be wrapped in `new TransformStream(...)`. `flush` runs at the end of the upstream
 * body and must report a stream that ended without its final event as an error.
 */
export interface StreamTransformer {
  transform(event: SseEvent, sink: ChunkSink): void;
  flush(sink: ChunkSink): void;
}

export interface UpstreamHttpRequest {
  /** Path (and query) appended to the provider's base URL. */
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface AdapterContext {
  apiKey: string;
  /** Extra headers from config (e.g. OpenAI-Organization, custom auth for a compatible endpoint). */
  headers: Record<string, string>;
  quirks: ProviderQuirks;
}

/** Config switches for OpenAI-compatible servers that differ from OpenAI. */
export interface ProviderQuirks {
  /** The server rejects `stream_options`: do not send it (usage then comes only if the server sends it anyway). */
  noStreamOptions?: boolean;
  /** The server does not know the `developer` role: send it as `system`. */
  developerAsSystem?: boolean;
  /** The server rejects `max_completion_tokens`: send `max_tokens` instead. */
  maxTokensField?: "max_tokens" | "max_completion_tokens";
}

/** An Anthropic Messages API request for a provider that speaks it natively: forwarded untouched. */
export interface PassthroughCall {
  /** The client's body with only `model` replaced by the deployment's name. */
  body: Record<string, unknown>;
  stream: boolean;
  /** Client headers the upstream honours (`anthropic-version`, `anthropic-beta`); never the client's key. */
  headers: Record<string, string>;
  requestId: string;
  /** The Messages API operation: `/v1/messages` unless said otherwise (`/v1/messages/count_tokens`). */
  path?: "/v1/messages" | "/v1/messages/count_tokens";
}

/** An OpenAI Responses API request for a provider that serves `/v1/responses` natively (OpenAI): forwarded untouched. */
export interface ResponsesCall {
  /** The client's body with `model` replaced by the deployment's name, Runestone's fields removed (and a stored conversation expanded). */
  body: Record<string, unknown>;
  stream: boolean;
  requestId: string;
}

/** One embeddings call to one deployment. */
export interface EmbeddingCall {
  /** The request as the client sent it, Runestone routing fields removed. */
  body: EmbeddingRequest & Record<string, unknown>;
  upstreamModel: string;
  requestId: string;
}

export interface ProviderAdapter {
  readonly kind: ProviderKind;
  buildChatRequest(call: ChatCall, ctx: AdapterContext): UpstreamHttpRequest;
  parseChatResponse(json: unknown, call: ChatCall): ChatCompletion;
  createStreamTransformer(call: ChatCall): StreamTransformer;
  /** `providerId`: the configured id of the provider that answered, for messages that name it. */
  parseError(status: number, headers: Record<string, string | string[] | undefined>, bodyText: string, providerId?: string): UpstreamError;
  /** Optional: the provider's native Messages API request (Anthropic), for `POST /v1/messages` passthrough. */
  buildPassthroughRequest?(call: PassthroughCall, ctx: AdapterContext): UpstreamHttpRequest;
  /** Optional: the provider's native Responses API request (OpenAI), for `POST /v1/responses` passthrough. */
  buildResponsesRequest?(call: ResponsesCall, ctx: AdapterContext): UpstreamHttpRequest;
  /** Optional: embeddings, for providers that serve them. */
  buildEmbeddingRequest?(call: EmbeddingCall, ctx: AdapterContext): UpstreamHttpRequest;
  parseEmbeddingResponse?(json: unknown, call: EmbeddingCall): EmbeddingResponse;
  /** The most inputs one embeddings request may carry: HttpProvider sends a larger call as several (providers/embedding-batches.ts). */
  maxEmbeddingInputs?: number;
}

/** A routed, callable provider. */
export interface Provider {
  readonly id: string;
  readonly kind: ProviderKind;
  /** False when the provider is declared but cannot serve (for example no API key). */
  readonly configured: boolean;
  readonly notConfiguredReason?: string;
  complete(call: ChatCall, signal: AbortSignal): Promise<ChatCompletion>;
  /**
   * Starts a stream. Resolves once the upstream accepted the request (status 2xx), so failures
   * before the first byte reject here and can fall back. Iteration throws an UpstreamError for a
   * mid-stream failure.
   */
  stream(call: ChatCall, signal: AbortSignal): Promise<AsyncIterable<ChunkEvent>>;
  /** Present when the provider speaks Anthropic's Messages API natively: the upstream's JSON message, untouched. */
  passthrough?(call: PassthroughCall, signal: AbortSignal): Promise<unknown>;
  /**
   * Streaming passthrough: resolves once the upstream accepted the request; yields its SSE events untouched.
   * Iteration throws an UpstreamError when the stream ends without its final event.
   */
  passthroughStream?(call: PassthroughCall, signal: AbortSignal): Promise<AsyncIterable<SseEvent>>;
  /** Present when the provider serves OpenAI's Responses API natively: the upstream's JSON response, untouched. */
  responses?(call: ResponsesCall, signal: AbortSignal): Promise<unknown>;
  /**
   * Streaming Responses passthrough: resolves once the upstream accepted the request; yields its SSE events
   * untouched. Iteration throws an UpstreamError when the stream ends without its terminal event.
   */
  responsesStream?(call: ResponsesCall, signal: AbortSignal): Promise<AsyncIterable<SseEvent>>;
  /** Present when the provider serves embeddings. */
  embed?(call: EmbeddingCall, signal: AbortSignal): Promise<EmbeddingResponse>;
}
