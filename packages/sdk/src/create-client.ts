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
  type ChatCompletionCreateParamsStreaming,
} from "./operations/create-chat-completion";
import { awaitQueuedCompletion } from "./operations/await-queued-completion";
import { cancelJob } from "./operations/cancel-job";
import { createApiKey } from "./operations/create-api-key";
import { createChatStream } from "./operations/create-chat-stream";
import { createEmbedding } from "./operations/create-embedding";
import { countMessageTokens } from "./operations/count-message-tokens";
import { createMessage, type MessageCreateParamsNonStreaming } from "./operations/create-message";
import { createResponse, type ResponseCreateParamsNonStreaming, type ResponseCreateParamsStreaming } from "./operations/create-response";
import { deleteResponse } from "./operations/delete-response";
import { listResponseInputItems } from "./operations/list-response-input-items";
import { retrieveResponse } from "./operations/retrieve-response";
import { streamResponse } from "./operations/stream-response";
import { getMetrics } from "./operations/get-metrics";
import { getDashboard } from "./operations/get-dashboard";
import { getDashboardSummary } from "./operations/get-dashboard-summary";
import { getDashboardUsage } from "./operations/get-dashboard-usage";
import { getTenantLimits } from "./operations/get-tenant-limits";
import { getUsage } from "./operations/get-usage";
import { listApiKeys } from "./operations/list-api-keys";
import { retrieveJob } from "./operations/retrieve-job";
import { revokeApiKey } from "./operations/revoke-api-key";
import { setTenantLimits } from "./operations/set-tenant-limits";
import { streamMessage } from "./operations/stream-message";
import { waitForJob, type WaitOptions } from "./operations/wait-for-job";
import { isQueued } from "./is-queued";
import { getHealth } from "./operations/get-health";
import { getLiveness } from "./operations/get-liveness";
import { getReadiness } from "./operations/get-readiness";
import { listModels } from "./operations/list-models";
import { retrieveModel } from "./operations/retrieve-model";
import { streamChatCompletion } from "./operations/stream-chat-completion";
import type { Stream } from "./streaming/stream";
import type {
  ApiKey,
  ApiKeyCreateParams,
  ApiKeyList,
  ApiKeyListQuery,
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParams,
  CreatedApiKey,
  CreateEmbeddingResponse,
  EmbeddingCreateParams,
  HealthResponse,
  Job,
  Message,
  MessageCountTokensParams,
  MessageCreateParams,
  MessageStreamEvent,
  MessageTokensCount,
  TenantLimits,
  TenantLimitSettings,
  UsageQuery,
  UsageReport,
  DashboardSummary,
  DashboardUsage,
  LivenessResponse,
  Model,
  ModelList,
  QueuedResponse,
  ReadinessResponse,
  DeletedResponse,
  ResponseCreateParams,
  ResponseInputItemList,
  ResponseInputItemListQuery,
  ResponseObject,
  ResponseStreamEvent,
} from "./types";

/**
 * A client for a Runestone gateway. `Completed` is what a non-streamed chat call resolves to: the completion or a
 * QueuedResponse (`202`), or only the completion for a client created with `waitForQueued: true`.
 */
export interface RunestoneClient<Completed = ChatCompletion | QueuedResponse> {
  chat: {
    completions: {
      /**
       * POST /v1/chat/completions. Returns the completion, or a QueuedResponse on `202` (see `isQueued`); with
       * `waitForQueued`, waits for a queued request's job and returns its completion.
       */
      create(body: ChatCompletionCreateParamsNonStreaming, options?: RequestOptions): Promise<Completed>;
      /** With `"stream": true`, the same as `stream(body)`. */
      create(body: ChatCompletionCreateParamsStreaming, options?: RequestOptions): Promise<Stream<ChatCompletionChunk>>;
      /** A body typed `ChatCompletionCreateParams` (`stream` not known until run time): either of the above. */
      create(body: ChatCompletionCreateParams, options?: RequestOptions): Promise<Completed | Stream<ChatCompletionChunk>>;
      /**
       * POST /v1/chat/completions with `"stream": true`. On `202` (queued) it throws QueuedError (with the job id),
       * or, with `waitForQueued`, waits for the job and streams its completion as the gateway's chunks.
       */
      stream(body: ChatCompletionCreateParams, options?: RequestOptions): Promise<Stream<ChatCompletionChunk>>;
    };
    /** POST /v1/chat/stream; a `202` is handled as by `chat.completions.stream`. */
    stream(body: ChatCompletionCreateParams, options?: RequestOptions): Promise<Stream<ChatCompletionChunk>>;
  };
  messages: {
    /** POST /v1/messages: Anthropic's Messages API for every model of the catalog. */
    create(body: MessageCreateParamsNonStreaming, options?: RequestOptions): Promise<Message>;
    /** POST /v1/messages with `"stream": true`: Anthropic's events, ending with `message_stop`. */
    stream(body: MessageCreateParams, options?: RequestOptions): Promise<Stream<MessageStreamEvent>>;
    /** POST /v1/messages/count_tokens: the request's input tokens (exact for Anthropic models, an estimate for the others). */
    countTokens(body: MessageCountTokensParams, options?: RequestOptions): Promise<MessageTokensCount>;
  };
  responses: {
    /**
     * POST /v1/responses: OpenAI's Responses API for every model of the catalog; stored for the tenant unless
     * `store: false`. A request the gateway queued (`202`) throws QueuedError (with the job id), or, with
     * `waitForQueued`, is waited for and its job's response returned.
     */
    create(body: ResponseCreateParamsNonStreaming, options?: RequestOptions): Promise<ResponseObject>;
    /** With `"stream": true`, the same as `stream(body)`. */
    create(body: ResponseCreateParamsStreaming, options?: RequestOptions): Promise<Stream<ResponseStreamEvent>>;
    /** A body typed `ResponseCreateParams` (`stream` not known until run time): either of the above. */
    create(body: ResponseCreateParams, options?: RequestOptions): Promise<ResponseObject | Stream<ResponseStreamEvent>>;
    /**
     * POST /v1/responses with `"stream": true`: the Responses API's events, typed, ending after `response.completed`,
     * `response.incomplete` or `response.failed`; an `error` event throws StreamError. Leaving the loop aborts it.
     */
    stream(body: ResponseCreateParams, options?: RequestOptions): Promise<Stream<ResponseStreamEvent>>;
    /** GET /v1/responses/{response_id}: a stored response of the caller's tenant (NotFoundError otherwise). */
    retrieve(responseId: string, options?: RequestOptions): Promise<ResponseObject>;
    /** DELETE /v1/responses/{response_id}: `{ id, object: "response", deleted: true }`. */
    delete(responseId: string, options?: RequestOptions): Promise<DeletedResponse>;
    inputItems: {
      /** GET /v1/responses/{response_id}/input_items: a page of the conversation the response answered. */
      list(responseId: string, query?: ResponseInputItemListQuery, options?: RequestOptions): Promise<ResponseInputItemList>;
    };
  };
  embeddings: {
    /** POST /v1/embeddings. */
    create(body: EmbeddingCreateParams, options?: RequestOptions): Promise<CreateEmbeddingResponse>;
  };
  jobs: {
    /** GET /v1/jobs/{job_id}: a queued request's job. */
    retrieve(jobId: string, options?: RequestOptions): Promise<Job>;
    /** DELETE /v1/jobs/{job_id}: cancels a queued or running job (ConflictError once it has ended). */
    cancel(jobId: string, options?: RequestOptions): Promise<Job>;
    /** Polls the job with backoff until it is `succeeded`, `failed`, `cancelled` or `expired`, and returns it. */
    wait(jobId: string, options?: WaitOptions): Promise<Job>;
  };
  usage: {
    /** GET /v1/usage: tokens and cost per day, model, label and tenant. */
    retrieve(query?: UsageQuery, options?: RequestOptions): Promise<UsageReport>;
  };
  /** The admin API: create a client with the admin key (`RUNESTONE_ADMIN_KEY`) as `apiKey` to use it. */
  admin: {
    keys: {
      /** GET /v1/admin/keys. */
      list(query?: ApiKeyListQuery, options?: RequestOptions): Promise<ApiKeyList>;
      /** POST /v1/admin/keys: the new key with its secret, shown once. */
      create(body: ApiKeyCreateParams, options?: RequestOptions): Promise<CreatedApiKey>;
      /** DELETE /v1/admin/keys/{key_id}. */
      revoke(keyId: string, options?: RequestOptions): Promise<ApiKey>;
    };
    tenants: {
      limits: {
        /** GET /v1/admin/tenants/{tenant_id}/limits. */
        retrieve(tenantId: string, options?: RequestOptions): Promise<TenantLimitSettings>;
        /** PUT /v1/admin/tenants/{tenant_id}/limits: replaces the tenant's overrides. */
        update(tenantId: string, body: TenantLimits, options?: RequestOptions): Promise<TenantLimitSettings>;
      };
    };
  };
  metrics: {
    /** GET /metrics: the Prometheus text exposition (who may scrape is configured with `metrics.access`). */
    retrieve(options?: RequestOptions): Promise<string>;
  };
  /** The operator's dashboard and the JSON it reads; the same access rule as `metrics` (`metrics.access`). */
  dashboard: {
    /** GET /dashboard: the self-contained HTML page. */
    page(options?: RequestOptions): Promise<string>;
    /** GET /dashboard/summary: the last hour per minute (traffic, latency, cost), deployments and the queue. */
    summary(options?: RequestOptions): Promise<DashboardSummary>;
    /** GET /dashboard/usage: tokens and cost per day, tenant and model over the last 14 days. */
    usage(options?: RequestOptions): Promise<DashboardUsage>;
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
export function createClient(options: ClientOptions & { waitForQueued: true }): RunestoneClient<ChatCompletion>;
export function createClient(options: ClientOptions): RunestoneClient;
export function createClient(options: ClientOptions): RunestoneClient<ChatCompletion | QueuedResponse> {
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
  const streamOptions = { waitForQueued: options.waitForQueued };
  return {
    chat: {
      completions: {
        create: (async (body: ChatCompletionCreateParams, o?: RequestOptions) => {
          // A body typed as the broad params may ask for a stream at run time: answer it as stream() does.
          if (body.stream === true) return streamChatCompletion(ctx, body, o, streamOptions);
          const result = await createChatCompletion(ctx, body as ChatCompletionCreateParamsNonStreaming, o);
          return options.waitForQueued && isQueued(result) ? awaitQueuedCompletion(ctx, result, o) : result;
        }) as RunestoneClient["chat"]["completions"]["create"],
        stream: (body, o) => streamChatCompletion(ctx, body, o, streamOptions),
      },
      stream: (body, o) => createChatStream(ctx, body, o, streamOptions),
    },
    messages: {
      create: (body, o) => createMessage(ctx, body, o),
      stream: (body, o) => streamMessage(ctx, body, o),
      countTokens: (body, o) => countMessageTokens(ctx, body, o),
    },
    responses: {
      create: ((body: ResponseCreateParams, o?: RequestOptions) =>
        body.stream === true ? streamResponse(ctx, body, o) : createResponse(ctx, body as ResponseCreateParamsNonStreaming, o, streamOptions)) as RunestoneClient["responses"]["create"],
      stream: (body, o) => streamResponse(ctx, body, o),
      retrieve: (id, o) => retrieveResponse(ctx, id, o),
      delete: (id, o) => deleteResponse(ctx, id, o),
      inputItems: {
        list: (id, query, o) => listResponseInputItems(ctx, id, query, o),
      },
    },
    embeddings: {
      create: (body, o) => createEmbedding(ctx, body, o),
    },
    jobs: {
      retrieve: (id, o) => retrieveJob(ctx, id, o),
      cancel: (id, o) => cancelJob(ctx, id, o),
      wait: (id, o) => waitForJob(ctx, id, o),
    },
    usage: {
      retrieve: (query, o) => getUsage(ctx, query, o),
    },
    admin: {
      keys: {
        list: (query, o) => listApiKeys(ctx, query, o),
        create: (body, o) => createApiKey(ctx, body, o),
        revoke: (id, o) => revokeApiKey(ctx, id, o),
      },
      tenants: {
        limits: {
          retrieve: (tenantId, o) => getTenantLimits(ctx, tenantId, o),
          update: (tenantId, body, o) => setTenantLimits(ctx, tenantId, body, o),
        },
      },
    },
    metrics: {
      retrieve: (o) => getMetrics(ctx, o),
    },
    dashboard: {
      page: (o) => getDashboard(ctx, o),
      summary: (o) => getDashboardSummary(ctx, o),
      usage: (o) => getDashboardUsage(ctx, o),
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
