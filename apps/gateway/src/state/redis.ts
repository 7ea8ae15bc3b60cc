// The shared state backend's Redis connection (ioredis). One client for commands; BullMQ makes
// its own blocking connections from the same options.
import { Redis, type RedisOptions } from "ioredis";

export function redisOptions(url: string): RedisOptions & { url: string } {
  return { url, maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false };
}

/**
 * A command connection. Connection errors are reported through `onError` at most every 10 s
 * (ioredis emits one per reconnect attempt); commands fail on their own and /health says so.
 */
export function openRedis(url: string, onError: (err: unknown) => void = () => undefined): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 2, enableOfflineQueue: true, connectTimeout: 2_000 });
  watchErrors(client, onError);
  return client;
}

export function watchErrors(client: Redis, onError: (err: unknown) => void): void {
  let last = 0;
  client.on("error", (err) => {
    const now = Date.now();
    if (now - last < 10_000) return;
    last = now;
    onError(err);
  });
}
