// The overflow queue's component of GET /health: depth, oldest wait, jobs running here.
import type { Schema } from "@runestone/contract";
import type { JobQueue } from "./job-queue";

export async function queueHealth(jobs: JobQueue | undefined): Promise<Schema<"ComponentHealth">> {
  if (!jobs) return { status: "healthy", message: "overflow queue not enabled" };
  try {
    const s = await jobs.stats();
    const oldestWaitMs = s.oldestCreatedAt === null ? 0 : Math.max(0, Date.now() - s.oldestCreatedAt);
    // Jobs waiting over half their allowed time means capacity is not freeing up fast enough.
    const slow = oldestWaitMs > jobs.settings.maxWaitMs / 2;
    return {
      status: slow ? "degraded" : "healthy",
      message: `${s.mode} queue: ${s.depth} queued, oldest waiting ${Math.round(oldestWaitMs / 1000)} s`,
      details: { mode: s.mode, depth: s.depth, oldest_wait_ms: oldestWaitMs, running: s.running, max_per_tenant: jobs.settings.maxPerTenant, max_wait_ms: jobs.settings.maxWaitMs },
    };
  } catch (err) {
    return { status: "unhealthy", message: `the job queue's state backend is unreachable: ${(err as Error).message}` };
  }
}
