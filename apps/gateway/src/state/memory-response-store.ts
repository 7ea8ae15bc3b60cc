// The Responses API's store for `state` in process memory (createApp without a backend): nothing survives
// the process. Records are kept as their JSON text, so a caller never shares (or mutates) a stored object,
// and the number kept is bounded: past `maxRecords` the oldest goes first.
import type { ResponseStore, StoredResponse } from "../core/response-store";
import { decodeStoredResponse, encodeStoredResponse, type ResponseStoreOptions } from "./response-record-json";

interface Entry {
  text: string;
  expiresAt: number;
}

export class MemoryResponseStore implements ResponseStore {
  private readonly records = new Map<string, Entry>();

  constructor(private readonly opts: ResponseStoreOptions & { maxRecords?: number }) {}

  get maxBytes(): number {
    return this.opts.maxBytes;
  }

  get maxConversationBytes(): number | undefined {
    return this.opts.maxConversationBytes;
  }

  async put(record: StoredResponse): Promise<void> {
    const text = encodeStoredResponse(record, this.opts.maxBytes);
    const key = keyOf(record.tenantId, record.id);
    this.records.delete(key);
    this.records.set(key, { text, expiresAt: Date.now() + this.opts.ttlMs });
    // Map order is insertion order: the first entries are the oldest puts.
    for (const [k, e] of this.records) {
      if (this.records.size <= (this.opts.maxRecords ?? 10_000) && e.expiresAt > Date.now()) break;
      this.records.delete(k);
    }
  }

  async touch(tenantId: string, ids: readonly string[]): Promise<void> {
    const now = Date.now();
    for (const id of ids) {
      const e = this.records.get(keyOf(tenantId, id));
      if (e && e.expiresAt > now) e.expiresAt = now + this.opts.ttlMs;
    }
  }

  async get(tenantId: string, id: string): Promise<StoredResponse | undefined> {
    const key = keyOf(tenantId, id);
    const e = this.records.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= Date.now()) {
      this.records.delete(key);
      return undefined;
    }
    return decodeStoredResponse(e.text);
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    return (await this.get(tenantId, id)) !== undefined && this.records.delete(keyOf(tenantId, id));
  }

  async close(): Promise<void> {
    this.records.clear();
  }
}

const keyOf = (tenantId: string, id: string) => `${tenantId}\u0000${id}`;
