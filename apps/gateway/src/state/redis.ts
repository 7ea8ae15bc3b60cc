// The shared state backend's Redis connection (ioredis). One client for commands; BullMQ makes
// its own blocking connections from the same options.
import { Redis, type RedisOptions } from "ioredis";

export function redisOptions(url: string): RedisOptions & { url: string } {
  return { url, maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false };
}

export function openRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: true, connectTimeout: 2_000 });
}
