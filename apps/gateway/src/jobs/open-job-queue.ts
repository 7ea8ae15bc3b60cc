// Opens the overflow queue for the configured state backend: Redis (shared) when a URL is set,
// otherwise the embedded SQLite file.
import type { Logger } from "pino";
import type { RunestoneConfig } from "../config/schema";
import { openSqlite } from "../state/sqlite";
import type { GatewayEvents } from "../core/gateway-events";
import { settingsFrom, type JobQueue } from "./job-queue";
import { SqliteJobQueue } from "./sqlite-job-queue";

export async function openJobQueue(config: RunestoneConfig, logger: Logger, events?: GatewayEvents): Promise<JobQueue> {
  const settings = settingsFrom(config.queue);
  if (config.state.redis_url) {
    // Loaded only in Redis mode: BullMQ is heavy and embedded mode does not need it.
    const { RedisJobQueue } = await import("./redis-job-queue");
    const q = new RedisJobQueue({ url: config.state.redis_url, prefix: config.state.redis_prefix, settings, logger, events, requestTimeoutMs: config.server.request_timeout_ms });
    await q.ready();
    return q;
  }
  const db = openSqlite(config.state.sqlite_path);
  const q: JobQueue = new SqliteJobQueue(db, settings, logger, events, config.server.request_timeout_ms);
  q.release = () => {
    if (db.open) db.close();
  };
  return q;
}
