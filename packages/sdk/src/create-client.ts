import type { paths } from "@runestone/contract";
import createFetchClient from "openapi-fetch";
import {
  DEFAULT_MAX_RETRIES,
  DEFAULT_MAX_RETRY_DELAY_MS,
  DEFAULT_TIMEOUT_MS,
  type ClientOptions,
  type RequestOptions,
} from "./client-options";
import { authMiddleware } from "./core/auth-middleware";
import { createContext, type HttpClient } from "./core/context";
import { retryMiddleware, type RetryPolicy } from "./core/retry-middleware";
import {
  createChatCompletion,
  type ChatCompletionCreateParamsNonStreaming,
} from "./operations/create-chat-completion";
import { createChatStream } from "./operations/create-chat-stream";
import { getHealth } from "./operations/get-health";
import { getLiveness } from "./operations/get-liveness";
import { getReadiness } from "./operations/get-readiness";
import { listModels } from "./operations/list-models";
import { retrieveModel } from "./operations/retrieve-model";
import { streamChatCompletion } from "./operations/stream-chat-completion";
import type { Stream } from "./streaming/stream";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParams,
  HealthResponse,
  LivenessResponse,
  Model,
  ModelList,
  QueuedResponse,
  ReadinessResponse,
} from "./types";

export interface RunestoneClient {
  chat: {
    completions: {
      /** POST /v1/chat/completions. Returns the completion, or a QueuedResponse on `202` (see `isQueued`). */
      create(body: ChatCompletionCreateParamsNonStreaming, options?: RequestOptions): Promise<ChatCompletion | QueuedResponse>;
      /** POST /v1/chat/completions with `"stream": true`. */
      stream(body: ChatCompletionCreateParams, options?: RequestOptions): Promise<Stream<ChatCompletionChunk>>;
    };
    /** POST /v1/chat/stream. */
    stream(body: ChatCompletionCreateParams, options?: RequestOptions): Promise<Stream<ChatCompletionChunk>>;
  };
  models: {
    /** GET /v1/models. */
    list(options?: RequestOptions): Promise<ModelList>;
    /** GET /v1/models/{model}. */
    retrieve(model: string, options?: RequestOptions): Promise<Model>;
  };
  health: {
    /** GET /health; `503 unhealthy` is returned, not thrown. */
    check(options?: RequestOptions): Promise<HealthResponse>;
    /** GET /health/live. */
    live(options?: RequestOptions): Promise<LivenessResponse>;
    /** GET /health/ready; `503` (not ready, draining) is returned, not thrown. */
    ready(options?: RequestOptions): Promise<ReadinessResponse>;
  };
  /**
   * The underlying openapi-fetch client, typed from the contract: `{ data, error, response }` without throwing on
   * HTTP errors. It sends the API key and applies the client's timeout and retries.
   */
  raw: HttpClient;
}

/** A client for a Runestone gateway. */
export function createClient(options: ClientOptions): RunestoneClient {
  const policy: RetryPolicy = {
    maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES,
    timeout: options.timeout ?? DEFAULT_TIMEOUT_MS,
    maxRetryDelay: options.maxRetryDelay ?? DEFAULT_MAX_RETRY_DELAY_MS,
  };
  const httpOptions = {
    baseUrl: normalizeBaseUrl(options.baseUrl),
    headers: options.headers,
    // Late-bound so that a fetch patched after createClient (test doubles, instrumentation) is still used.
    fetch: options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args)),
  };
  const auth = authMiddleware(options.apiKey);

  // The methods get their retry policy per call (so that RequestOptions can override it); raw gets the defaults.
  const http = createFetchClient<paths, "application/json">(httpOptions);
  http.use(auth);
  const raw = createFetchClient<paths, "application/json">(httpOptions);
  raw.use(auth, retryMiddleware(policy));

  const ctx = createContext(http, policy);
  return {
    chat: {
      completions: {
        create: (body, o) => createChatCompletion(ctx, body, o),
        stream: (body, o) => streamChatCompletion(ctx, body, o),
      },
      stream: (body, o) => createChatStream(ctx, body, o),
    },
    models: {
      list: (o) => listModels(ctx, o),
      retrieve: (model, o) => retrieveModel(ctx, model, o),
    },
    health: {
      check: (o) => getHealth(ctx, o),
      live: (o) => getLiveness(ctx, o),
      ready: (o) => getReadiness(ctx, o),
    },
    raw,
  };
}

function normalizeBaseUrl(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "");
}
