// The embedded overflow queue: jobs and results in the SQLite file, run by this process.
//
// Inserts are synchronous on the overflow path on purpose: the 202 promises the job survives a
// crash, so it must be on disk (WAL; a kill -9 loses no committed transaction) before we answer.
// Direct requests never touch this file.
//
// After a restart, a job found `running` was interrupted mid-call: it may or may not have reached
// the upstream, so it is marked failed with a reason rather than run a second time (`attempts`
// says it ran once). Queued jobs simply resume.
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { SqliteDb } from "../state/sqlite";
import type { GatewayEvents } from "../core/gateway-events";
import { admissionBackoffMs, mayAccess, type CancelResult, type EnqueueResult, type JobCaller, type JobQueue, type NewJob, type QueueSettings, type QueueStats, type TenantQueueStats } from "./job-queue";
import { cancelledError, expiredError, FINAL_STATUSES, interruptedError, jobKindOf, newJobId, shutdownError, type JobError, type JobRecord, type JobStatus } from "./job-record";
import type { JobRunner, Outcome } from "./job-runner";
import { CANCELLED, RunningJobs, SHUTDOWN } from "./running-jobs";

interface Row {
  seq: number;
  id: string;
  /** Null in rows written before jobs had kinds: chat. */
  kind: string | null;
  tenant_id: string;
  key_id: string | null;
  request_id: string;
  model: string | null;
  stream: number;
  body: string;
  status: JobStatus;
  attempts: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  expires_at: number;
  result: string | null;
  error: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  tenant_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  model TEXT,
  stream INTEGER NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  owner TEXT,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  expires_at INTEGER NOT NULL,
  result TEXT,
  error TEXT
);
CREATE INDEX IF NOT EXISTS jobs_by_tenant_status ON jobs (tenant_id, status, seq);
CREATE INDEX IF NOT EXISTS jobs_by_status_expiry ON jobs (status, expires_at);
`;

const FINAL_SQL = FINAL_STATUSES.map((s) => `'${s}'`).join(",");
const PUMP_IDLE_MS = 250;
const PURGE_EVERY_MS = 10_000;

function fromRow(r: Row): JobRecord {
  return {
    id: r.id,
    kind: jobKindOf(r.kind),
    tenantId: r.tenant_id,
    keyId: r.key_id ?? null,
    requestId: r.request_id,
    model: r.model,
    stream: r.stream === 1,
    body: JSON.parse(r.body) as Record<string, unknown>,
    status: r.status,
    attempts: r.attempts,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    expiresAt: r.expires_at,
    result: r.result ? JSON.parse(r.result) : null,
    error: r.error ? (JSON.parse(r.error) as JobError) : null,
  };
}

/** `host:pid:boot`: lets a restart tell its dead predecessor's running jobs from a live process's. */
const OWNER = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;

function ownerAlive(owner: string | null): boolean {
  if (!owner || owner === OWNER) return false;
  const [host, pidText] = owner.split(":");
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export class SqliteJobQueue implements JobQueue {
  readonly mode = "embedded" as const;
  private readonly running = new RunningJobs();
  private runner?: JobRunner;
  private closed = false;
  private pumping = false;
  private pumpAgain = false;
  private timer?: NodeJS.Timeout;
  private lastPurge = 0;
  /** Tenants refused by admission, and when to ask again. */
  private readonly backoffUntil = new Map<string, number>();
  /** Jobs this process runs, per tenant: the tenant with the fewest gets the next free worker. */
  private readonly runningByTenant = new Map<string, number>();
  private readonly stmt;

  constructor(
    private readonly db: SqliteDb,
    readonly settings: QueueSettings,
    private readonly logger: Logger,
    private readonly events: GatewayEvents = {},
    /** The job's run deadline: a `running` job older than this (plus a margin) is surely dead. */
    private readonly requestTimeoutMs = 600_000,
  ) {
    db.exec(SCHEMA);
    // Files written before jobs recorded the key that queued them, or their kind (a row without one is a chat job).
    const columns = new Set(db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('jobs')").all().map((c) => c.name));
    if (!columns.has("key_id")) db.exec("ALTER TABLE jobs ADD COLUMN key_id TEXT");
    if (!columns.has("kind")) db.exec("ALTER TABLE jobs ADD COLUMN kind TEXT");
    this.stmt = {
      countQueued: db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE tenant_id = ? AND status = 'queued'"),
      insert: db.prepare(
        "INSERT INTO jobs (id, kind, tenant_id, key_id, request_id, model, stream, body, status, created_at, expires_at) VALUES (@id, @kind, @tenant_id, @key_id, @request_id, @model, @stream, @body, 'queued', @created_at, @expires_at)",
      ),
      get: db.prepare<[string], Row>("SELECT * FROM jobs WHERE id = ?"),
      position: db.prepare<[string, number], { n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE tenant_id = ? AND status = 'queued' AND seq <= ?"),
      heads: db.prepare<[], { tenant_id: string; seq: number }>("SELECT tenant_id, MIN(seq) AS seq FROM jobs WHERE status = 'queued' GROUP BY tenant_id ORDER BY seq"),
      next: db.prepare<[string], Row>("SELECT * FROM jobs WHERE tenant_id = ? AND status = 'queued' ORDER BY seq LIMIT 1"),
      claim: db.prepare("UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = ?, owner = ? WHERE id = ? AND status = 'queued'"),
      finish: db.prepare(
        "UPDATE jobs SET status = @status, result = @result, error = @error, finished_at = @now, expires_at = @purge_at WHERE id = @id AND status IN (SELECT value FROM json_each(@from))",
      ),
      expireDue: db.prepare<[string, number, number, number]>(
        "UPDATE jobs SET status = 'expired', error = ?, finished_at = ?, expires_at = ? WHERE status = 'queued' AND expires_at <= ?",
      ),
      purge: db.prepare(`DELETE FROM jobs WHERE status IN (${FINAL_SQL}) AND expires_at <= ?`),
      runningRows: db.prepare<[], { id: string; owner: string | null; started_at: number | null }>("SELECT id, owner, started_at FROM jobs WHERE status = 'running'"),
      stats: db.prepare<[], { n: number; oldest: number | null }>("SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM jobs WHERE status = 'queued'"),
    };
    this.recoverInterrupted();
  }

  /** A job left `running` by a process that died: report it failed, never run it twice. */
  private recoverInterrupted(): void {
    const now = Date.now();
    let n = 0;
    for (const r of this.stmt.runningRows.all()) {
      const tooOld = r.started_at !== null && now - r.started_at > this.requestTimeoutMs + 60_000;
      if (ownerAlive(r.owner) && !tooOld) continue;
      n += this.transition(r.id, ["running"], "failed", { error: interruptedError() });
    }
    if (n) this.logger.warn({ jobs: n }, "jobs interrupted by a gateway restart were marked failed (not retried, to avoid running them twice)");
  }

  async enqueue(j: NewJob): Promise<EnqueueResult> {
    const now = Date.now();
    const id = newJobId(now);
    const inserted = this.db.transaction(() => {
      if (this.stmt.countQueued.get(j.tenantId)!.n >= this.settings.maxPerTenant) return false;
      this.stmt.insert.run({ id, kind: j.kind ?? "chat.completion", tenant_id: j.tenantId, key_id: j.keyId, request_id: j.requestId, model: j.model, stream: j.stream ? 1 : 0, body: JSON.stringify(j.body), created_at: now, expires_at: now + this.settings.maxWaitMs });
      return true;
    }).immediate();
    if (!inserted) return { queued: false };
    const found = await this.get({ tenantId: j.tenantId }, id);
    this.backoffUntil.delete(j.tenantId);
    this.schedule(0);
    return { queued: true, job: found!.job, position: found!.position ?? 1 };
  }

  async get(caller: JobCaller, id: string): Promise<{ job: JobRecord; position: number | null } | undefined> {
    let row = this.stmt.get.get(id);
    if (!row || !mayAccess({ tenantId: row.tenant_id, keyId: row.key_id }, caller)) return undefined;
    const now = Date.now();
    if (row.status === "queued" && row.expires_at <= now) {
      this.transition(id, ["queued"], "expired", { error: expiredError(this.settings.maxWaitMs) });
      row = this.stmt.get.get(id)!;
    }
    if (FINAL_STATUSES.includes(row.status) && row.expires_at <= now) return undefined;
    const position = row.status === "queued" ? this.stmt.position.get(row.tenant_id, row.seq)!.n : null;
    return { job: fromRow(row), position };
  }

  async cancel(caller: JobCaller, id: string): Promise<CancelResult> {
    const found = await this.get(caller, id);
    if (!found) return { outcome: "not_found" };
    if (!this.transition(id, ["queued", "running"], "cancelled", { error: cancelledError() })) {
      return { outcome: "final", job: (await this.get(caller, id))?.job ?? found.job };
    }
    this.running.abort(id, CANCELLED);
    this.events.jobFinished?.({ tenant: found.job.tenantId, status: "cancelled" });
    return { outcome: "cancelled", job: (await this.get(caller, id))!.job };
  }

  async stats(): Promise<QueueStats> {
    const s = this.stmt.stats.get()!;
    return { mode: this.mode, depth: s.n, oldestCreatedAt: s.oldest, running: this.running.size };
  }

  async queuedPerTenant(): Promise<TenantQueueStats[]> {
    const rows = this.db
      .prepare<[], { tenant_id: string; n: number; oldest: number }>("SELECT tenant_id, COUNT(*) AS n, MIN(created_at) AS oldest FROM jobs WHERE status = 'queued' GROUP BY tenant_id ORDER BY n DESC, tenant_id")
      .all();
    return rows.map((r) => ({ tenantId: r.tenant_id, depth: r.n, oldestCreatedAt: r.oldest }));
  }

  wake(tenantId: string): void {
    if (this.backoffUntil.delete(tenantId)) this.schedule(0);
  }

  start(runner: JobRunner): void {
    this.runner = runner;
    this.schedule(0);
  }

  async close(graceMs = 0): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    if (!(await this.running.idle(graceMs))) this.running.abortAll(SHUTDOWN);
    await this.running.idle(5_000);
  }

  private schedule(ms: number): void {
    if (this.closed || !this.runner) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.pump(), ms);
    this.timer.unref();
  }

  /** Moves `id` from one of `from` to `to`; 1 if it did. Final states get their purge time. */
  private transition(id: string, from: JobStatus[], to: JobStatus, fields: { result?: unknown; error?: JobError }): number {
    const now = Date.now();
    const purgeAt = FINAL_STATUSES.includes(to) ? now + this.settings.resultTtlMs : now + this.settings.maxWaitMs;
    return this.stmt.finish.run({
      id,
      status: to,
      from: JSON.stringify(from),
      result: fields.result === undefined ? null : JSON.stringify(fields.result),
      error: fields.error ? JSON.stringify(fields.error) : null,
      now,
      purge_at: purgeAt,
    }).changes;
  }

  /**
   * One pass: expire overdue jobs, then fill the free workers one job at a time, round-robin across
   * the tenants with queued work: each time the tenant with the fewest running jobs (the oldest
   * queued job breaks ties) starts its oldest job, if its admission admits it. So one tenant's
   * backlog never holds another tenant's job behind it. A refused tenant is asked again after the
   * admission's retry-after (bounded), so queued work drains as capacity frees.
   */
  private async pump(): Promise<void> {
    if (this.closed || !this.runner) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    let nextMs = PUMP_IDLE_MS;
    try {
      const now = Date.now();
      const expired = this.stmt.expireDue.run(JSON.stringify(expiredError(this.settings.maxWaitMs)), now, now + this.settings.resultTtlMs, now).changes;
      if (expired) this.logger.info({ jobs: expired }, "queued jobs expired without being admitted");
      if (now - this.lastPurge > PURGE_EVERY_MS) {
        this.lastPurge = now;
        this.stmt.purge.run(now);
      }
      const waiting = new Map<string, number>();
      for (const head of this.stmt.heads.all()) {
        const until = this.backoffUntil.get(head.tenant_id) ?? 0;
        if (until > Date.now()) nextMs = Math.min(nextMs, until - Date.now());
        else waiting.set(head.tenant_id, head.seq);
      }
      while (waiting.size > 0 && this.running.size < this.settings.concurrency) {
        const tenantId = this.fairestTenant(waiting);
        const waitMs = await this.startNext(tenantId);
        if (this.closed) return;
        const next = waitMs === undefined ? this.stmt.next.get(tenantId) : undefined;
        if (next) waiting.set(tenantId, next.seq);
        else waiting.delete(tenantId);
        if (waitMs !== undefined) nextMs = Math.min(nextMs, waitMs);
      }
    } catch (err) {
      this.logger.error({ err: String(err) }, "the job queue's worker pass failed");
    } finally {
      this.pumping = false;
    }
    this.schedule(this.pumpAgain ? 0 : Math.max(nextMs, 10));
    this.pumpAgain = false;
  }

  /** Among tenants with queued work (tenant -> seq of its oldest job): fewest running here, then oldest job. */
  private fairestTenant(waiting: Map<string, number>): string {
    let best: { id: string; running: number; seq: number } | undefined;
    for (const [id, seq] of waiting) {
      const running = this.runningByTenant.get(id) ?? 0;
      if (!best || running < best.running || (running === best.running && seq < best.seq)) best = { id, running, seq };
    }
    return best!.id;
  }

  /**
   * Starts the tenant's oldest queued job if admission admits it (a job that can never run is failed
   * instead). Returns when to ask again if admission refused, otherwise undefined.
   */
  private async startNext(tenantId: string): Promise<number | undefined> {
    const row = this.stmt.next.get(tenantId);
    if (!row) return undefined;
    const job = fromRow(row);
    const admitted = await this.runner!.admit(job);
    if (!admitted.admitted) {
      if ("error" in admitted) {
        if (this.transition(job.id, ["queued"], "failed", { error: admitted.error })) this.events.jobFinished?.({ tenant: tenantId, status: "failed" });
        return undefined;
      }
      const wait = admissionBackoffMs(admitted.retryAfterMs, job.expiresAt - Date.now());
      this.backoffUntil.set(tenantId, Date.now() + wait);
      return wait;
    }
    this.backoffUntil.delete(tenantId);
    if (this.closed || this.stmt.claim.run(Date.now(), OWNER, job.id).changes === 0) {
      await admitted.lease.release(0, 0); // cancelled or expired meanwhile, or shutting down: it never ran, nothing spent
      return undefined;
    }
    void this.execute({ ...job, status: "running", attempts: job.attempts + 1, startedAt: Date.now() }, admitted);
    return undefined;
  }

  private async execute(job: JobRecord, admitted: Extract<Awaited<ReturnType<JobRunner["admit"]>>, { admitted: true }>): Promise<void> {
    const controller = this.running.start(job.id);
    this.runningByTenant.set(job.tenantId, (this.runningByTenant.get(job.tenantId) ?? 0) + 1);
    let outcome: Outcome;
    try {
      outcome = await this.runner!.run(job, admitted.tenant, admitted.lease, controller.signal);
      if (controller.signal.reason === SHUTDOWN) outcome = { status: "failed", error: shutdownError() };
      const changed = this.transition(job.id, ["running"], outcome.status, outcome.status === "succeeded" ? { result: outcome.result } : { error: outcome.error });
      if (changed) this.events.jobFinished?.({ tenant: job.tenantId, status: outcome.status });
    } catch (err) {
      this.logger.error({ job_id: job.id, err: String(err) }, "recording a job's outcome failed");
    } finally {
      this.running.finish(job.id);
      const left = (this.runningByTenant.get(job.tenantId) ?? 1) - 1;
      if (left > 0) this.runningByTenant.set(job.tenantId, left);
      else this.runningByTenant.delete(job.tenantId);
      this.backoffUntil.delete(job.tenantId); // its slot just freed: ask again now
      this.schedule(0);
    }
  }
}
