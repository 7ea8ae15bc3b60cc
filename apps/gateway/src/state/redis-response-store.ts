// The Responses API's store in Redis, shared by every instance: one string key per record holding its
// JSON, set with the TTL (Redis expires it; nothing to sweep). The key names the tenant as well as the id,
// so an id guessed or leaked from another tenant finds no key at all.
import type { Redis } from "ioredis";
import type { ResponseStore, StoredResponse } from "../core/response-store";
import { stateUnavailable } from "../core/state-unavailable";
import { decodeStoredResponse, encodeStoredResponse, type ResponseStoreOptions } from "./response-record-json";

export class RedisResponseStore implements ResponseStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly opts: ResponseStoreOptions,
  ) {}

  get maxBytes(): number {
    return this.opts.maxBytes;
  }

  get maxConversationBytes(): number | undefined {
    return this.opts.maxConversationBytes;
  }

  async put(record: StoredResponse): Promise<void> {
    const text = encodeStoredResponse(record, this.opts.maxBytes);
    await this.redis.set(this.keyOf(record.tenantId, record.id), text, "PX", Math.max(1, Math.round(this.opts.ttlMs)));
  }

  /** One PEXPIRE per record, in one pipeline (one round trip); a key that is gone stays gone. */
  async touch(tenantId: string, ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    const ttl = Math.max(1, Math.round(this.opts.ttlMs));
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.pexpire(this.keyOf(tenantId, id), ttl);
    await pipeline.exec();
  }

  async get(tenantId: string, id: string): Promise<StoredResponse | undefined> {
    const text = await this.redis.get(this.keyOf(tenantId, id));
    if (text === null) return undefined;
    try {
      return decodeStoredResponse(text);
    } catch {
      // Not ours (another writer under the prefix) or damaged: the backend failed; its text never reaches a log.
      throw stateUnavailable("to read stored responses");
    }
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    return (await this.redis.del(this.keyOf(tenantId, id))) > 0;
  }

  /** The connection belongs to the state backend, which closes it. */
  async close(): Promise<void> {}

  // The tenant id's length first: no tenant id (whatever characters it holds) can make another tenant's key.
  private keyOf(tenantId: string, id: string): string {
    return `${this.prefix}response:${tenantId.length}:${tenantId}:${id}`;
  }
}
