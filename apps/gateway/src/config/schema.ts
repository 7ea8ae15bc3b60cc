// The config file's shape, validated at startup. Errors name the offending key (see load.ts).
import { z } from "zod";
import { DEFAULT_UPSTREAM_LIMITS } from "./upstream-limits";
import { parseByteSize } from "./byte-size";

const providerType = z.enum(["openai", "openai-compatible", "anthropic", "mock", "azure-openai", "gemini", "bedrock"]);

export const timeoutsSchema = z
  .object({
    connect_ms: z.number().int().positive().default(5_000),
    first_byte_ms: z.number().int().positive().default(60_000),
    idle_ms: z.number().int().positive().default(60_000),
    total_ms: z.number().int().positive().default(600_000),
  })
  .strict();

export const providerSchema = z
  .object({
    type: providerType,
    base_url: z.string().url().optional(),
    /** Empty or missing: the provider is declared but not configured, and its models answer a clear error. */
    api_key: z.string().optional(),
    /** Azure OpenAI: the data-plane API version sent as `api-version` (default 2024-10-21). */
    api_version: z.string().min(1).optional(),
    headers: z.record(z.string(), z.string()).default({}),
    /** Bedrock: AWS region and static credentials (absent: the AWS SDK's default chain: environment, profile, instance role). */
    region: z.string().min(1).optional(), access_key_id: z.string().min(1).optional(), secret_access_key: z.string().min(1).optional(), session_token: z.string().min(1).optional(),
    timeouts: timeoutsSchema.prefault({}),
    /** Keep-alive connections per upstream origin. */
    connections: z.number().int().positive().default(128),
    /**
     * Globs of bare model names this provider serves without a catalog entry (`gpt-*`, `claude-*`): such a
     * name goes upstream as is. Catalog entries win; two providers' patterns may not match one same name.
     */
    model_patterns: z.array(z.string().min(1)).default([]),
    /** List the upstream's own `GET /models` in GET /v1/models (fetched in the background, cached). */
    discover: z.boolean().default(false),
    quirks: z
      .object({
        no_stream_options: z.boolean().default(false),
        developer_as_system: z.boolean().default(false),
        max_tokens_field: z.enum(["max_tokens", "max_completion_tokens"]).optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict();

const deploymentSchema = z
  .object({
    provider: z.string().min(1),
    /** The model name the upstream knows; defaults to the public id. */
    model: z.string().min(1).optional(),
    weight: z.number().positive().default(1),
    /** Overrides the model's pricing for this deployment (e.g. a cloud reseller at a different price). */
    pricing: z.lazy(() => pricingSchema).optional(),
  })
  .strict();

const pricingSchema = z
  .object({
    input_per_1m: z.number().nonnegative(),
    output_per_1m: z.number().nonnegative(),
    cached_input_per_1m: z.number().nonnegative().optional(),
  })
  .strict();

/** Request fields that `defaults_with_tools` may not set: they change what the gateway sends or expects back. */
const RESERVED_REQUEST_FIELDS = new Set(["model", "messages", "tools", "stream", "stream_options", "n"]);

export const modelSchema = z
  .object({
    family: z.string().default("general"),
    capabilities: z.array(z.string()).default(["chat", "streaming"]),
    context_window: z.number().int().positive().default(128_000),
    max_output_tokens: z.number().int().positive().default(4_096),
    pricing: pricingSchema.optional(),
    owned_by: z.string().optional(),
    created: z.number().int().nonnegative().optional(),
    /**
     * Fields added to a request that carries `tools` when the client left them out (OpenAI-shaped
     * upstreams only). OpenAI's GPT-6 models, for one, take function tools on Chat Completions only
     * with `reasoning_effort: none`.
     */
    defaults_with_tools: z
      .record(z.string(), z.unknown())
      .refine((d) => !Object.keys(d).some((k) => RESERVED_REQUEST_FIELDS.has(k)), {
        message: `may not set ${["model", "messages", "tools", "stream", "stream_options", "n"].join(", ")}: the gateway and the client own those`,
      })
      .optional(),
    deployments: z.array(deploymentSchema).min(1),
  })
  .strict();

/**
 * Retries and circuit breakers, for every provider (one policy keeps behaviour predictable; timeouts are
 * per provider under providers.*.timeouts). The overall deadline of a request is server.request_timeout_ms.
 */
export const resilienceSchema = z
  .object({
    retries: z
      .object({
        /** Extra rounds over the candidates after the first one fails; each round waits with backoff first. */
        max_retries: z.number().int().min(0).default(2),
        /** Exponential backoff: base * 2^round, capped, with jitter (a random half to whole of it). */
        backoff_base_ms: z.number().int().positive().default(250),
        backoff_max_ms: z.number().int().positive().default(4_000),
        /** Retry-After / retry-after-ms up to this is waited for; a longer one moves on to the next candidate. */
        max_retry_after_ms: z.number().int().nonnegative().default(10_000),
      })
      .strict()
      .prefault({}),
    breaker: z
      .object({
        /** Outcomes older than this are forgotten when computing the failure rate. */
        window_ms: z.number().int().positive().default(30_000),
        /** The failure-rate rule only applies once the window holds this many calls. */
        minimum_requests: z.number().int().positive().default(10),
        /** Open when failures / calls in the window reach this (0 < rate <= 1). */
        failure_rate: z.number().gt(0).max(1).default(0.5),
        /** Open after this many failures in a row, whatever the volume. */
        consecutive_failures: z.number().int().positive().default(5),
        /** How long an open breaker rejects calls before letting probes through (half-open). */
        open_ms: z.number().int().positive().default(15_000),
        /** Upper bound for an opening driven by an upstream's Retry-After. */
        max_open_ms: z.number().int().positive().default(300_000),
        /** Concurrent probe calls allowed while half-open; one success closes the breaker. */
        half_open_probes: z.number().int().positive().default(1),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** A spending budget in USD per UTC day or calendar month, at the catalog's prices (admission/budgets.ts). */
export const budgetSchema = z
  .object({
    /** Spend is counted in integer nano-dollars: up to $1M per period stays exact in a double and in Redis. */
    amount_usd: z.number().nonnegative().max(1_000_000),
    period: z.enum(["day", "month"]),
    /** A model without a known price is refused (its spend cannot be counted) unless this is true; it then counts $0. */
    allow_unpriced_models: z.boolean().default(false),
  })
  .strict();

const limitsSchema = z
  .object({
    max_concurrent: z.number().int().positive().optional(),
    requests_per_minute: z.number().int().positive().optional(),
    tokens_per_minute: z.number().int().positive().optional(),
    budget: budgetSchema.optional(),
  })
  .strict();

export const tenantSchema = z
  .object({
    id: z.string().min(1),
    /** Plain keys are hashed at load and never kept. Prefer key_hashes (hex SHA-256) in production files. */
    keys: z.array(z.string().min(8)).default([]),
    key_hashes: z.array(z.string().regex(/^[0-9a-f]{64}$/, "must be a hex SHA-256")).default([]),
    limits: limitsSchema.prefault({}),
    allowed_models: z.array(z.string()).optional(),
    overflow: z.enum(["reject", "queue"]).default("reject"),
    development: z.boolean().default(false),
    /**
     * The response cache for this tenant's chat requests (exact match); absent: off, and a request's
     * `x-runestone-cache: ttl=N` is ignored (the cache is shared: only tenants given it may fill it).
     */
    cache: z
      .object({
        /** How long an answer is kept and replayed; absent: only requests with `x-runestone-cache: ttl=N` (which overrides it) are cached. */
        ttl_seconds: z.number().int().positive().max(2_592_000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().default("127.0.0.1"),
        port: z.number().int().min(0).max(65535).default(4001),
        body_limit: z.string().refine((v) => parseByteSize(v) !== undefined, 'a size such as "20mb", "512kb" or "1048576"').default("20mb"),
        /** A request body must fully arrive within this time after its headers: else 408 and the socket closes. */
        body_timeout_ms: z.number().int().positive().default(30_000),
        shutdown_grace_ms: z.number().int().nonnegative().default(30_000),
        request_timeout_ms: z.number().int().positive().default(600_000),
        /** A client must send its request headers within this time (slow-loris protection): else 408 and the socket closes. */
        headers_timeout_ms: z.number().int().positive().default(66_000),
        /** Largest non-streamed upstream answer read (JSON or error body); past it 502 upstream_response_too_large, not retried. */
        max_upstream_response_bytes: z.number().int().positive().default(DEFAULT_UPSTREAM_LIMITS.maxResponseBytes),
        /** Largest single SSE event (or unterminated line) read from an upstream stream; same error past it. */
        max_upstream_event_bytes: z.number().int().positive().default(DEFAULT_UPSTREAM_LIMITS.maxEventBytes),
        /** Browser origins allowed to call the API (CORS); absent: no CORS headers and no preflight answered. */
        cors: z.object({ origins: z.array(z.string().min(1)).min(1) }).strict().optional(),
      })
      .strict()
      .prefault({}),
    routing: z
      .object({
        default_policy: z.enum(["default", "cost"]).default("default"),
      })
      .strict()
      .prefault({}),
    resilience: resilienceSchema.prefault({}),
    limits: z
      .object({
        max_concurrent_per_tenant: z.number().int().positive().default(10),
      })
      .strict()
      .prefault({}),
    state: z
      .object({
        /** SQLite file for what must survive a restart in embedded mode (jobs, results, keys, usage). */
        sqlite_path: z.string().default(".runestone/runestone.db"),
        /** Set (or RUNESTONE_REDIS_URL) to share limits, slots, queue, keys and usage across instances. */
        redis_url: z.string().optional(),
        /** Prefix for every Redis key, so several deployments can share one Redis. */
        redis_prefix: z.string().default("runestone:"),
        /** Redis mode: how long a concurrency slot outlives an instance that died holding it (renewed while in use). */
        lease_ttl_ms: z.number().int().min(1_000).default(30_000),
      })
      .strict()
      .prefault({}),
    /** The admin API's key (or RUNESTONE_ADMIN_KEY); without one the admin API answers 401 to everyone. */
    admin: z
      .object({
        key: z.string().min(16, "must be at least 16 characters").optional(),
        key_hash: z.string().regex(/^[0-9a-f]{64}$/, "must be a hex SHA-256").optional(),
      })
      .strict()
      .prefault({}),
    /** What the Responses API keeps (`store`, GET/DELETE /v1/responses/{id}, `previous_response_id`), per tenant. */
    responses: z
      .object({
        /** How long a stored response can be read or continued; 30 days, as OpenAI keeps them. */
        store_ttl_seconds: z.number().int().positive().default(2_592_000),
        /** The largest record kept (one turn: its own input and its response, as JSON); a larger turn is not stored. */
        max_stored_bytes: z.number().int().positive().default(16 * 1024 * 1024),
        /**
         * The most stored bytes (JSON) a `previous_response_id` conversation is replayed from; past it, 400
         * conversation_too_long. Each turn is bounded by max_stored_bytes but a chain of them is not: the whole
         * conversation becomes one upstream body (and, held as strings, could pass V8's string limit and take the
         * process down). 32 MiB is past any model's context window while far below that limit.
         */
        max_conversation_bytes: z.number().int().positive().default(32 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
    /** The response cache's storage: this process's memory (LRU), or Redis (shared, with each entry's TTL) in Redis mode. */
    cache: z
      .object({
        /** Embedded mode: the bytes of stored answers (their JSON) kept at most; least recently used go first. */
        max_size_mb: z.number().positive().default(64),
        /** Largest answer stored (JSON bytes); a bigger one is served but not cached. */
        max_entry_kb: z.number().int().positive().default(1024),
        /** Redis mode: a lookup that takes longer is a `bypass` (the request goes upstream), never an error. */
        lookup_timeout_ms: z.number().int().positive().default(50),
        /**
         * What cache keys are HMACs under, the same on every instance of one deployment (cache/cache-key-secret.ts);
         * absent: random per process in embedded mode, derived from the admin key (its SHA-256) and redis_prefix in Redis mode.
         */
        key_secret: z.string().min(16, "must be at least 16 characters").optional(),
      })
      .strict()
      .prefault({}),
    /** The overflow queue (tenants with `overflow: queue`, or requests sent with `x-runestone-overflow: queue`). */
    queue: z
      .object({
        /** Queued jobs per tenant; past it, an overflowing request is a 429 `queue_full`. */
        max_per_tenant: z.number().int().positive().default(100),
        /** A job not admitted within this time ends `expired`. */
        max_wait_ms: z.number().int().positive().default(300_000),
        /** How long a finished job (and its result) can be read before it is purged. */
        result_ttl_ms: z.number().int().positive().default(3_600_000),
        /** Jobs one gateway process runs at once (each also needs its tenant's admission). */
        concurrency: z.number().int().positive().default(32),
        /** Gateway worker processes on this machine (RUNESTONE_WORKERS); more than 1 requires Redis. */
        workers: z.number().int().positive().default(1),
      })
      .strict()
      .prefault({}),
    logging: z
      .object({
        level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
      })
      .strict()
      .prefault({}),
    /** GET /metrics (Prometheus text). */
    metrics: z
      .object({
        enabled: z.boolean().default(true),
        /** Who may scrape: `admin` (bearer admin key), `loopback` (127.0.0.1/::1 only) or `open`. */
        access: z.enum(["admin", "loopback", "open"]).default("loopback"),
        /** Label series by tenant; turn off when tenants are many (unbounded label cardinality). */
        tenant_label: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    /** OpenTelemetry traces over OTLP/HTTP (JSON); off unless an endpoint is set here or in OTEL_EXPORTER_OTLP_ENDPOINT. */
    tracing: z
      .object({
        /** The collector's base URL (`/v1/traces` is appended unless present), e.g. http://127.0.0.1:4318. */
        otlp_endpoint: z.string().url().optional(),
        service_name: z.string().min(1).default("runestone"),
        /** Fraction of requests traced (0..1), decided per trace id. */
        sample_ratio: z.number().min(0).max(1).default(1),
        headers: z.record(z.string(), z.string()).default({}),
      })
      .strict()
      .prefault({}),
    providers: z.record(z.string(), providerSchema),
    models: z.record(z.string(), modelSchema),
    tenants: z.array(tenantSchema).min(1),
  })
  .strict();

export type RunestoneConfig = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
export type ModelConfig = z.infer<typeof modelSchema>;
export type TenantConfig = z.infer<typeof tenantSchema>;
export type BudgetConfig = z.infer<typeof budgetSchema>;
export type ResilienceConfig = z.infer<typeof resilienceSchema>;
