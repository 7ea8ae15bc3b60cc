// The overflow queue's contract, implemented twice: embedded (SQLite, one process) and Redis
// (BullMQ, shared by every instance). The HTTP layer and the worker only see this interface.
import type { JobKind, JobRecord } from "./job-record";
import type { JobRunner } from "./job-runner";

export interface QueueSettings {
  maxPerTenant: number;
  maxWaitMs: number;
  resultTtlMs: number;
  concurrency: number;
}

export interface NewJob {
  /** Chat unless said otherwise. */
  kind?: JobKind;
  tenantId: string;
  /** The API key that queued it (its id, never the secret): it may read and cancel the job too. */
  keyId: string | null;
  requestId: string;
  model: string | null;
  stream: boolean;
  body: Record<string, unknown>;
}

/** Who asks for a job: the caller's own tenant and key. */
export interface JobCaller {
  tenantId: string;
  keyId?: string;
}

/** A job is visible to the keys of the tenant it runs for and to the key that queued it (e.g. acting for another tenant). */
export function mayAccess(job: { tenantId: string; keyId: string | null }, caller: JobCaller): boolean {
  return job.tenantId === caller.tenantId || (job.keyId !== null && job.keyId === caller.keyId);
}

export type EnqueueResult = { queued: true; job: JobRecord; position: number } | { queued: false };

export type CancelResult =
  | { outcome: "cancelled"; job: JobRecord }
  | { outcome: "final"; job: JobRecord }
  | { outcome: "not_found" };

export interface QueueStats {
  mode: "embedded" | "redis";
  depth: number;
  oldestCreatedAt: number | null;
  running: number;
}

export interface TenantQueueStats {
  tenantId: string;
  depth: number;
  oldestCreatedAt: number;
}

export interface JobQueue {
  readonly mode: "embedded" | "redis";
  readonly settings: QueueSettings;
  /** Durable before it resolves: a 202 promises the job survives a crash. */
  enqueue(job: NewJob): Promise<EnqueueResult>;
  /** The job if the caller may see it (mayAccess), or undefined for an unknown id, someone else's job, or a purged one. */
  get(caller: JobCaller, id: string): Promise<{ job: JobRecord; position: number | null } | undefined>;
  cancel(caller: JobCaller, id: string): Promise<CancelResult>;
  stats(): Promise<QueueStats>;
  /** Waiting jobs per tenant (the dashboard); absent where the backend cannot count them cheaply. */
  queuedPerTenant?(): Promise<TenantQueueStats[]>;
  /** A slot of the tenant's just freed: ask its admission again now (embedded; Redis retries on its own). */
  wake?(tenantId: string): void;
  /** Starts taking jobs (each one only once the runner's admission admits it). */
  start(runner: JobRunner): void;
  /** Stops taking jobs, lets running ones finish within graceMs, then fails the rest with a reason. */
  close(graceMs?: number): Promise<void>;
  /**
   * Frees what the queue holds open (its SQLite connection) once nothing can ask it anything any more:
   * after close() and after the HTTP listener closed, since clients may poll and cancel jobs while the
   * gateway drains.
   */
  release?(): void;
}

export function settingsFrom(q: { max_per_tenant: number; max_wait_ms: number; result_ttl_ms: number; concurrency: number }): QueueSettings {
  return { maxPerTenant: q.max_per_tenant, maxWaitMs: q.max_wait_ms, resultTtlMs: q.result_ttl_ms, concurrency: q.concurrency };
}

/** How long to wait before asking admission again: what it said, within sane bounds. */
export function admissionBackoffMs(retryAfterMs: number, untilExpiryMs: number): number {
  return Math.max(25, Math.min(retryAfterMs, 1_000, Math.max(untilExpiryMs, 0) + 5));
}
