// The shared overflow queue (Redis mode): one BullMQ queue for every tenant, each job carrying its
// tenant; per-tenant bounds and positions in sorted sets; each job's record (status, body, result)
// in a hash with a TTL. Any instance can read or cancel any job; whichever instance's worker picks
// it up runs it once admission admits it.
//
// Fairness between tenants: BullMQ's workers take jobs by priority (then FIFO), and a job's priority
// is its place in its own tenant's queue when it was queued (1 for a tenant's next job). So the
// workers go round-robin across tenants: one tenant's 60th waiting job never runs before another
// tenant's first, and a tenant with one job waiting is not held behind another's backlog.
//
// A worker that dies mid-job leaves it locked; BullMQ's stalled check hands it to another worker,
// which finds our record `running` and reports it failed ("interrupted ... not retried") instead
// of calling the upstream a second time.
import { DelayedError, Queue, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { bounded } from "../state/bounded";
import { isStateUnreachable } from "../core/state-unavailable";
import { RedisClock } from "../state/redis-clock";
import type { Logger } from "pino";
import type { GatewayEvents } from "../core/gateway-events";
import { admissionBackoffMs, mayAccess, type CancelResult, type EnqueueResult, type JobCaller, type JobQueue, type NewJob, type QueueSettings, type QueueStats } from "./job-queue";
import { cancelledError, expiredError, FINAL_STATUSES, interruptedError, jobKindOf, newJobId, shutdownError, type JobError, type JobRecord, type JobStatus } from "./job-record";
import type { Admitted, JobRunner } from "./job-runner";
import { ENQUEUE, TRANSITION } from "./redis-scripts";
import { CANCELLED, RunningJobs, SHUTDOWN } from "./running-jobs";

const QUEUE_NAME = "chat-jobs";
const SWEEP_EVERY_MS = 1_000;
/** How soon a job whose start failed on the state backend is tried again. */
const STATE_RETRY_MS = 1_000;

/** A job admitted and marked running, ready to run. */
interface Started {
  job: JobRecord;
  admitted: Extract<Admitted, { admitted: true }>;
  startedAt: number;
}
/** BullMQ's highest priority number. */
const MAX_PRIORITY = 2_097_152;

interface ScriptedRedis extends Redis {
  jobEnqueue(k1: string, k2: string, k3: string, ...argv: Array<string | number>): Promise<number>;
  jobTransition(k1: string, k2: string, k3: string, ...argv: Array<string | number>): Promise<number>;
}

export interface RedisQueueOptions {
  url: string;
  prefix: string;
  settings: QueueSettings;
  logger: Logger;
  events?: GatewayEvents;
  requestTimeoutMs: number;
  /** BullMQ lock: a dead worker's job is seen as stalled after about this long. */
  lockDurationMs?: number;
}

export class RedisJobQueue implements JobQueue {
  readonly mode = "redis" as const;
  readonly settings: QueueSettings;
  private readonly redis: ScriptedRedis;
  private readonly bullConnection: Redis;
  private readonly subscriber: Redis;
  private readonly queue: Queue;
  private worker?: Worker;
  private runner?: JobRunner;
  private readonly running = new RunningJobs();
  private sweeper?: NodeJS.Timeout;
  private closed = false;
  private readonly events: GatewayEvents;
  /** Jobs' times are on Redis's clock, so instances with skewed clocks agree on every job's wait. */
  private readonly clock: RedisClock;

  constructor(private readonly o: RedisQueueOptions) {
    this.settings = o.settings;
    this.events = o.events ?? {};
    this.redis = new Redis(o.url, { maxRetriesPerRequest: 2, connectTimeout: 2_000 }) as ScriptedRedis;
    this.redis.defineCommand("jobEnqueue", { numberOfKeys: 3, lua: ENQUEUE });
    this.redis.defineCommand("jobTransition", { numberOfKeys: 3, lua: TRANSITION });
    this.clock = new RedisClock(this.redis);
    // BullMQ's own connections must never give up on a command (its blocking calls wait long).
    this.bullConnection = new Redis(o.url, { maxRetriesPerRequest: null });
    this.queue = new Queue(QUEUE_NAME, { connection: this.bullConnection, prefix: `${o.prefix}bull` });
    this.subscriber = this.redis.duplicate();
    void this.subscriber.subscribe(this.key("jobs:cancel"));
    this.subscriber.on("message", (_channel: string, id: string) => this.running.abort(id, CANCELLED));
    for (const c of [this.redis, this.bullConnection, this.subscriber]) c.on("error", (err) => o.logger.warn({ err: String(err) }, "redis connection error (job queue)"));
  }

  private key(k: string): string {
    return `${this.o.prefix}${k}`;
  }
  private jobKey(id: string): string {
    return this.key(`job:${id}`);
  }
  private tenantKey(tenantId: string): string {
    return this.key(`jobs:queued:${tenantId}`);
  }
  private allKey(): string {
    return this.key("jobs:queued");
  }

  /** Resolves when Redis answers, so a misconfigured URL fails at startup rather than on the first 202. */
  async ready(): Promise<void> {
    await this.redis.ping();
    await this.clock.sync();
    await this.queue.waitUntilReady();
  }

  async enqueue(j: NewJob): Promise<EnqueueResult> {
    const now = this.clock.now();
    const id = newJobId(now);
    const expiresAt = now + this.settings.maxWaitMs;
    const fields = {
      kind: j.kind ?? "chat.completion",
      tenant: j.tenantId,
      key_id: j.keyId ?? "",
      request_id: j.requestId,
      model: JSON.stringify(j.model),
      stream: j.stream ? "1" : "0",
      body: JSON.stringify(j.body),
      status: "queued",
      attempts: "0",
      created_at: String(now),
      expires_at: String(expiresAt),
    };
    const ttl = this.settings.maxWaitMs + this.settings.resultTtlMs + 60_000;
    const rank = await this.redis.jobEnqueue(this.tenantKey(j.tenantId), this.allKey(), this.jobKey(id), this.settings.maxPerTenant, id, now, ttl, ...Object.entries(fields).flat());
    if (rank < 0) return { queued: false };
    try {
      await this.queue.add("chat", { id, tenantId: j.tenantId }, { jobId: id, priority: Math.min(rank + 1, MAX_PRIORITY), removeOnComplete: true, removeOnFail: true });
    } catch (err) {
      await this.redis.multi().del(this.jobKey(id)).zrem(this.tenantKey(j.tenantId), id).zrem(this.allKey(), id).exec();
      throw err;
    }
    return { queued: true, job: this.fromHash(id, { ...fields }), position: rank + 1 };
  }

  async get(caller: JobCaller, id: string): Promise<{ job: JobRecord; position: number | null } | undefined> {
    let job = await this.load(id);
    if (!job || !mayAccess(job, caller)) return undefined;
    if (job.status === "queued" && job.expiresAt <= this.clock.now()) {
      await this.transition(job, ["queued"], "expired", { error: expiredError(this.settings.maxWaitMs) });
      job = await this.load(id);
      if (!job) return undefined;
    }
    if (job.status !== "queued") return { job, position: null };
    const rank = await this.redis.zrank(this.tenantKey(job.tenantId), id);
    return { job, position: rank === null ? null : rank + 1 };
  }

  async cancel(caller: JobCaller, id: string): Promise<CancelResult> {
    const found = await this.get(caller, id);
    if (!found) return { outcome: "not_found" };
    const moved = await this.transition(found.job, ["queued", "running"], "cancelled", { error: cancelledError() });
    const job = (await this.load(id)) ?? found.job;
    if (!moved) return { outcome: "final", job };
    this.events.jobFinished?.({ tenant: found.job.tenantId, status: "cancelled" });
    if (found.job.status === "running") await this.redis.publish(this.key("jobs:cancel"), id);
    else await this.queue.remove(id).catch(() => 0); // locked by a worker: it will see `cancelled`
    return { outcome: "cancelled", job };
  }

  async stats(): Promise<QueueStats> {
    const [depth, oldest] = await Promise.all([this.redis.zcard(this.allKey()), this.redis.zrange(this.allKey(), 0, 0, "WITHSCORES")]);
    // On this instance's clock: /health compares it with Date.now().
    return { mode: this.mode, depth, oldestCreatedAt: oldest[1] ? this.clock.toLocal(Number(oldest[1])) : null, running: this.running.size };
  }

  start(runner: JobRunner): void {
    this.runner = runner;
    const lockDuration = this.o.lockDurationMs ?? 10_000;
    this.worker = new Worker(QUEUE_NAME, (job, token) => this.process(job, token), {
      connection: this.bullConnection,
      prefix: `${this.o.prefix}bull`,
      concurrency: this.settings.concurrency,
      lockDuration,
      stalledInterval: Math.max(1_000, Math.floor(lockDuration / 2)),
      maxStalledCount: 1,
      drainDelay: 1,
    });
    this.worker.on("stalled", (jobId) => this.o.logger.warn({ job_id: jobId }, "a job's worker stopped renewing its lock (stalled); it will be reported, not silently re-run"));
    this.worker.on("failed", (job, err) => void this.onBullFailed(job, err));
    this.worker.on("error", (err) => this.o.logger.warn({ err: String(err) }, "job worker error"));
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  async close(graceMs = 0): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    const workerClosed = this.worker?.close();
    if (!(await this.running.idle(graceMs))) this.running.abortAll(SHUTDOWN);
    // Each step is bounded: with Redis down, BullMQ and ioredis would otherwise wait for a reconnect forever.
    await bounded(workerClosed);
    await bounded(this.queue.close());
    const quit = await bounded(Promise.allSettled([this.subscriber.quit(), this.redis.quit(), this.bullConnection.quit()]));
    if (!quit) for (const c of [this.subscriber, this.redis, this.bullConnection]) c.disconnect();
  }

  private async process(bull: Job, token?: string): Promise<void> {
    let started: Started | undefined;
    try {
      started = await this.prepareRun(bull, token);
    } catch (err) {
      if (err instanceof DelayedError || !isStateUnreachable(err)) throw err;
      // The state backend failed before the job started (Redis restarting, say): the job has not reached
      // a provider, so it waits and is tried again rather than failing. If even the move back fails,
      // the job stays locked until BullMQ's stalled check hands it back (see onBullFailed).
      this.o.logger.warn({ job_id: (bull.data as { id: string }).id, err: String(err) }, "a queued job could not be started; trying again shortly");
      await bull.moveToDelayed(Date.now() + STATE_RETRY_MS, token).catch(() => undefined);
      throw new DelayedError();
    }
    if (started) await this.runStarted(started);
  }

  /** Everything before a job runs: load it, settle stale states, admit it and mark it running. */
  private async prepareRun(bull: Job, token?: string): Promise<Started | undefined> {
    const id = (bull.data as { id: string }).id;
    const job = await this.load(id);
    if (!job) return; // purged
    if (job.status === "running") {
      // Picked up again after its worker stalled: it may have reached the upstream already.
      if (await this.transition(job, ["running"], "failed", { error: interruptedError() })) {
        this.o.logger.warn({ job_id: id, tenant: job.tenantId }, "a job interrupted mid-run was marked failed (not retried, to avoid running it twice)");
        this.events.jobFinished?.({ tenant: job.tenantId, status: "failed" });
      }
      return;
    }
    if (job.status !== "queued") return; // cancelled or expired meanwhile
    if (job.expiresAt <= this.clock.now()) {
      await this.transition(job, ["queued"], "expired", { error: expiredError(this.settings.maxWaitMs) });
      return;
    }
    const admitted = await this.runner!.admit(job);
    if (!admitted.admitted) {
      if ("error" in admitted) {
        if (await this.transition(job, ["queued"], "failed", { error: admitted.error })) this.events.jobFinished?.({ tenant: job.tenantId, status: "failed" });
        return;
      }
      // Back into the queue until admission frees up, so other tenants' jobs are not held behind it.
      // BullMQ's delays are on this instance's clock (its workers compare them with their own).
      await bull.moveToDelayed(Date.now() + admissionBackoffMs(admitted.retryAfterMs, job.expiresAt - this.clock.now()), token);
      throw new DelayedError();
    }
    const startedAt = this.clock.now();
    let moved: boolean;
    try {
      moved = await this.transition(job, ["queued"], "running", { started_at: startedAt }, true);
    } catch (err) {
      // The slot was taken: give it back, or the lease renewal would hold it for good.
      await admitted.lease.release(0, 0).catch(() => undefined);
      throw err;
    }
    if (!moved) {
      await admitted.lease.release(0, 0); // it never ran: nothing spent
      return;
    }
    return { job, admitted, startedAt };
  }

  private async runStarted({ job, admitted, startedAt }: Started): Promise<void> {
    const id = job.id;
    const controller = this.running.start(id);
    try {
      // The runner measures the job's wait with this instance's clock.
      let outcome = await this.runner!.run({ ...job, createdAt: this.clock.toLocal(job.createdAt), status: "running", attempts: job.attempts + 1, startedAt }, admitted.tenant, admitted.lease, controller.signal);
      if (controller.signal.reason === SHUTDOWN) outcome = { status: "failed", error: shutdownError() };
      const moved = await this.transition(job, ["running"], outcome.status, outcome.status === "succeeded" ? { result: outcome.result } : { error: outcome.error });
      if (moved) this.events.jobFinished?.({ tenant: job.tenantId, status: outcome.status });
    } finally {
      this.running.finish(id);
    }
  }

  private async onBullFailed(bull: Job | undefined, err: Error): Promise<void> {
    if (!bull || err instanceof DelayedError || err.name === "DelayedError") return;
    const job = await this.load((bull.data as { id: string }).id).catch(() => undefined);
    if (!job || FINAL_STATUSES.includes(job.status)) return;
    const stalled = /stalled/i.test(err.message);
    if (stalled && job.status === "queued") {
      // It stalled before it started (its worker lost Redis mid-way): it never reached a provider, so
      // it goes back to the queue; the sweeper still expires it at its maximum wait.
      await this.queue.add("chat", bull.data, { jobId: job.id, delay: STATE_RETRY_MS, removeOnComplete: true, removeOnFail: true }).catch(() => undefined);
      return;
    }
    const error: JobError = stalled ? interruptedError() : { message: "The job could not be run by the gateway's queue worker.", type: "api_error", code: "job_worker_error", param: null };
    await this.transition(job, ["queued", "running"], "failed", { error }).catch(() => 0);
    this.o.logger.warn({ job_id: job.id, err: err.message }, "a queued job failed in the worker");
  }

  /** Expires jobs that waited too long, even if no worker picks them up (e.g. lost on a crash). */
  private async sweep(): Promise<void> {
    try {
      await this.clock.sync();
      const overdue = await this.redis.zrangebyscore(this.allKey(), "-inf", this.clock.now() - this.settings.maxWaitMs, "LIMIT", 0, 100);
      for (const id of overdue) {
        const job = await this.load(id);
        if (!job) await this.redis.zrem(this.allKey(), id);
        else await this.transition(job, ["queued"], "expired", { error: expiredError(this.settings.maxWaitMs) });
      }
    } catch (err) {
      if (!this.closed) this.o.logger.warn({ err: String(err) }, "job queue sweep failed");
    }
  }

  private async transition(job: JobRecord, from: JobStatus[], to: JobStatus, fields: { result?: unknown; error?: JobError; started_at?: number }, countAttempt = false): Promise<boolean> {
    const now = this.clock.now();
    const final = FINAL_STATUSES.includes(to);
    const ttl = final ? this.settings.resultTtlMs : this.o.requestTimeoutMs + this.settings.resultTtlMs + 60_000;
    const argv: Array<string | number> = [from.join(","), to, ttl, countAttempt ? "1" : "0", job.id];
    if (final) argv.push("finished_at", now, "expires_at", now + this.settings.resultTtlMs);
    if (fields.started_at !== undefined) argv.push("started_at", fields.started_at);
    if (fields.result !== undefined) argv.push("result", JSON.stringify(fields.result));
    if (fields.error) argv.push("error", JSON.stringify(fields.error));
    return (await this.redis.jobTransition(this.jobKey(job.id), this.tenantKey(job.tenantId), this.allKey(), ...argv)) === 1;
  }

  private async load(id: string): Promise<JobRecord | undefined> {
    const h = await this.redis.hgetall(this.jobKey(id));
    return h.status ? this.fromHash(id, h) : undefined;
  }

  private fromHash(id: string, h: Record<string, string>): JobRecord {
    const num = (v: string | undefined) => (v === undefined ? null : Number(v));
    return {
      id,
      // Hashes written before jobs had kinds have none: chat.
      kind: jobKindOf(h.kind),
      tenantId: h.tenant!,
      keyId: h.key_id || null,
      requestId: h.request_id!,
      model: h.model ? (JSON.parse(h.model) as string | null) : null,
      stream: h.stream === "1",
      body: JSON.parse(h.body ?? "{}") as Record<string, unknown>,
      status: h.status as JobStatus,
      attempts: Number(h.attempts ?? 0),
      createdAt: Number(h.created_at),
      startedAt: num(h.started_at),
      finishedAt: num(h.finished_at),
      expiresAt: Number(h.expires_at),
      result: h.result ? JSON.parse(h.result) : null,
      error: h.error ? (JSON.parse(h.error) as JobError) : null,
    };
  }
}
