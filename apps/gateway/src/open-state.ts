// Opens the state backend the config asks for: embedded (memory + the SQLite file) by default, or
// Redis when state.redis_url / RUNESTONE_REDIS_URL is set. Everything per-request reads memory; the
// backend is written off the request path or by admin operations.
import type { Redis } from "ioredis";
import type { Schema } from "@runestone/contract";
import type { RunestoneConfig } from "./config/schema";
import { MemoryAdmission } from "./admission/memory-admission";
import type { Admission } from "./admission/types";
import { BudgetedAdmission } from "./admission/budgeted-admission";
import type { BudgetBook } from "./admission/budget-report";
import { MemoryBudgetStore } from "./admission/memory-budget-store";
import { SqliteBudgetSpend } from "./state/sqlite-budget-spend";
import type { BreakerPeers } from "./resilience/breaker-peers";
import type { ResponseStore } from "./core/response-store";
import { openResponseCache } from "./cache/open-response-cache";
import type { ResponseCache } from "./cache/response-cache";
import { MemoryResponseStore } from "./state/memory-response-store";
import type { ResponseStoreOptions } from "./state/response-record-json";
import { SqliteResponseStore } from "./state/sqlite-response-store";
import { MemoryUsageStore } from "./telemetry/usage-memory-store";
import { UsageLedger } from "./telemetry/usage-ledger";
import { SqliteUsageStore } from "./telemetry/usage-sqlite-store";
import { AdminKey } from "./state/admin-key";
import { bounded } from "./state/bounded";
import { ManagedKeyStore } from "./state/managed-key-store";
import { MemoryKeyRepository } from "./state/memory-key-repository";
import { openSqlite, type SqliteDb } from "./state/sqlite";
import { SqliteKeyRepository } from "./state/sqlite-key-repository";

export interface GatewayState {
  mode: "embedded" | "redis" | "memory";
  /** The SQLite file in embedded mode (other state, like the job queue, may share it). */
  sqlite?: SqliteDb;
  /** The shared Redis connection in Redis mode. */
  redis?: Redis;
  keys: ManagedKeyStore;
  adminKey: AdminKey;
  admission: Admission;
  /** Budget spend and the clock of its periods (the admission's budgets), for GET /v1/usage and the dashboard. */
  budgets: BudgetBook;
  ledger: UsageLedger;
  /** The Responses API's stored responses, per tenant, with the configured TTL. */
  responses: ResponseStore;
  /** The chat response cache: shared through Redis in Redis mode, else in this process's memory. */
  cache: ResponseCache;
  /** Redis mode: the other instances, with which breaker openings are shared. */
  breakerPeers?: BreakerPeers;
  health(): Promise<Schema<"ComponentHealth">>;
  close(): Promise<void>;
}

export interface OpenStateOptions {
  onError?: (err: unknown, what: string) => void;
  /** Startup facts worth a log line (the response cache key secret's fingerprint in Redis mode). */
  onInfo?: (fields: Record<string, unknown>, message: string) => void;
  /** Redis concurrency lease period (tests shorten it). */
  leaseTtlMs?: number;
  /** The clock of budget periods (tests move it to a period's end); default Redis's clock in Redis mode, else this process's. */
  budgetClock?: () => number;
}

/** A budget reservation outlives the longest request by this much before Redis drops it as abandoned. */
const RESERVATION_MARGIN_MS = 60_000;

export async function openState(config: RunestoneConfig, opts: OpenStateOptions = {}): Promise<GatewayState> {
  const onError = opts.onError ?? (() => undefined);
  const adminKey = AdminKey.fromConfig(config.admin);
  const maxConcurrent = config.limits.max_concurrent_per_tenant;
  if (config.state.redis_url) {
    // Loaded only in Redis mode, so embedded mode starts without ioredis and friends.
    const [{ openRedis }, { RedisKeyRepository }, { RedisAdmission }, { RedisUsageStore }, { RedisBreakerPeers }, { RedisResponseStore }, { RedisBudgetStore }, { RedisClock }] = await Promise.all([
      import("./state/redis"),
      import("./state/redis-key-repository"),
      import("./admission/redis-admission"),
      import("./telemetry/usage-redis-store"),
      import("./state/redis-breaker-peers"),
      import("./state/redis-response-store"),
      import("./admission/redis-budget-store"),
      import("./state/redis-clock"),
    ]);
    const redis = openRedis(config.state.redis_url, (e) => onError(e, "redis connection"));
    const prefix = config.state.redis_prefix;
    try {
      await redis.ping();
      const repo = new RedisKeyRepository(redis, prefix);
      const keys = await ManagedKeyStore.open(config.tenants, repo);
      // Budget periods on Redis's clock: instances whose clocks disagree still change day at the same moment.
      const clock = new RedisClock(redis);
      await clock.sync();
      const admission = new BudgetedAdmission(
        new RedisAdmission(redis, { prefix, defaultMaxConcurrent: maxConcurrent, leaseTtlMs: opts.leaseTtlMs ?? config.state.lease_ttl_ms }),
        new RedisBudgetStore(redis, prefix, config.server.request_timeout_ms + RESERVATION_MARGIN_MS, (e) => onError(e, "budget spend settle")),
        opts.budgetClock ?? (() => clock.now()),
      );
      const ledger = new UsageLedger(new RedisUsageStore(redis, prefix), (e) => onError(e, "usage ledger write"));
      const breakerPeers = new RedisBreakerPeers(redis, prefix, onError);
      const responses = new RedisResponseStore(redis, prefix, responseStoreOptions(config));
      return {
        mode: "redis",
        redis,
        keys,
        adminKey,
        admission,
        budgets: admission,
        ledger,
        responses,
        cache: openResponseCache(config, redis, onError, opts.onInfo),
        breakerPeers,
        async health() {
          const ok = await Promise.race([redis.ping().then(() => true, () => false), new Promise<boolean>((r) => setTimeout(() => r(false), 1_000).unref())]);
          return ok ? { status: "healthy", message: "redis (shared by every instance)" } : { status: "unhealthy", message: "redis is not reachable" };
        },
        async close() {
          // Bounded: a shutdown must not hang when Redis is unreachable.
          await bounded(ledger.close().catch((e) => onError(e, "usage ledger flush")));
          await bounded(admission.close());
          await bounded(keys.close());
          await bounded(breakerPeers.close());
          await bounded(responses.close());
          if (!(await bounded(redis.quit()))) redis.disconnect();
        },
      };
    } catch (err) {
      redis.disconnect();
      throw new Error(`cannot use the Redis state backend (state.redis_url): ${(err as Error).message}`);
    }
  }
  const sqlite = openSqlite(config.state.sqlite_path);
  const keys = await ManagedKeyStore.open(config.tenants, new SqliteKeyRepository(sqlite));
  const spend = new MemoryBudgetStore(new SqliteBudgetSpend(sqlite), (e) => onError(e, "budget spend write"));
  const admission = new BudgetedAdmission(new MemoryAdmission(maxConcurrent), spend, opts.budgetClock);
  const ledger = new UsageLedger(new SqliteUsageStore(sqlite), (e) => onError(e, "usage ledger write"));
  const responses = new SqliteResponseStore(sqlite, { ...responseStoreOptions(config), onError: (e) => onError(e, "response store") });
  return {
    mode: "embedded",
    sqlite,
    keys,
    adminKey,
    admission,
    budgets: admission,
    ledger,
    responses,
    cache: openResponseCache(config, undefined, onError),
    async health() {
      try {
        sqlite.prepare("SELECT 1").get();
        return { status: "healthy", message: "embedded (in-process memory + SQLite)" };
      } catch {
        return { status: "unhealthy", message: "the SQLite file is not usable" };
      }
    },
    async close() {
      await ledger.close().catch((e) => onError(e, "usage ledger flush"));
      await keys.close();
      await responses.close().catch((e) => onError(e, "response store flush"));
      // Writes the last budget spend before the file closes.
      await admission.close();
      sqlite.close();
    },
  };
}

/** State that lives only in this process and persists nothing: for createApp without a backend. */
export function memoryState(config: RunestoneConfig): GatewayState {
  const keys = ManagedKeyStore.openSync(config.tenants, new MemoryKeyRepository());
  const ledger = new UsageLedger(new MemoryUsageStore());
  const responses = new MemoryResponseStore(responseStoreOptions(config));
  const admission = new BudgetedAdmission(new MemoryAdmission(config.limits.max_concurrent_per_tenant), new MemoryBudgetStore());
  return {
    mode: "memory",
    keys,
    adminKey: AdminKey.fromConfig(config.admin),
    admission,
    budgets: admission,
    ledger,
    responses,
    cache: openResponseCache(config, undefined, () => undefined),
    async health() {
      return { status: "healthy", message: "in-process memory (nothing persisted)" };
    },
    async close() {
      await ledger.close();
      await responses.close();
    },
  };
}

function responseStoreOptions(config: RunestoneConfig): ResponseStoreOptions {
  return { ttlMs: config.responses.store_ttl_seconds * 1000, maxBytes: config.responses.max_stored_bytes, maxConversationBytes: config.responses.max_conversation_bytes };
}
