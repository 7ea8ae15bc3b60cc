// The config file's shape, validated at startup. Errors name the offending key (see load.ts).
import { z } from "zod";

const providerType = z.enum(["openai", "openai-compatible", "anthropic", "mock"]);

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
    headers: z.record(z.string(), z.string()).default({}),
    timeouts: timeoutsSchema.prefault({}),
    /** Keep-alive connections per upstream origin. */
    connections: z.number().int().positive().default(128),
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
  })
  .strict();

const pricingSchema = z
  .object({
    input_per_1m: z.number().nonnegative(),
    output_per_1m: z.number().nonnegative(),
    cached_input_per_1m: z.number().nonnegative().optional(),
  })
  .strict();

export const modelSchema = z
  .object({
    family: z.string().default("general"),
    capabilities: z.array(z.string()).default(["chat", "streaming"]),
    context_window: z.number().int().positive().default(128_000),
    max_output_tokens: z.number().int().positive().default(4_096),
    pricing: pricingSchema.optional(),
    owned_by: z.string().optional(),
    created: z.number().int().nonnegative().optional(),
    deployments: z.array(deploymentSchema).min(1),
  })
  .strict();

const limitsSchema = z
  .object({
    max_concurrent: z.number().int().positive().optional(),
    requests_per_minute: z.number().int().positive().optional(),
    tokens_per_minute: z.number().int().positive().optional(),
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
  })
  .strict();

export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().default("127.0.0.1"),
        port: z.number().int().min(0).max(65535).default(4001),
        body_limit: z.string().default("20mb"),
        shutdown_grace_ms: z.number().int().nonnegative().default(30_000),
        request_timeout_ms: z.number().int().positive().default(600_000),
      })
      .strict()
      .prefault({}),
    routing: z
      .object({
        default_policy: z.enum(["default", "cost"]).default("default"),
      })
      .strict()
      .prefault({}),
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
      })
      .strict()
      .prefault({}),
    logging: z
      .object({
        level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
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
