// What the Responses API keeps between calls (POST /v1/responses with `store`, GET and DELETE
// /v1/responses/{id}, `previous_response_id`). Every read and write names the tenant: one tenant never
// reads, replays or deletes another's response (it is simply not found). Implementations: embedded
// (the SQLite state file) and Redis (shared by every instance), both with a TTL.

/** One answered Responses API call. */
export interface StoredResponse {
  /** The response id the client received (`resp_...`). */
  id: string;
  tenantId: string;
  /** The response object exactly as the client received it (for a stream: the `response.completed` one). */
  response: Record<string, unknown>;
  /**
   * This turn's own input items (a string input becomes one user message item; item references resolved).
   * With `previousResponseId` the earlier turns live in their own records, read along the chain
   * (endpoints/responses/load-conversation.ts), so each record holds one turn and storage grows linearly with a
   * conversation. A record without `previousResponseId` starts its chain; records written before the chain
   * existed hold their whole conversation here, and start a chain just the same.
   */
  input: unknown[];
  /** The stored response this one continued (`previous_response_id`), of the same tenant. */
  previousResponseId?: string;
  /** Unix seconds. */
  createdAt: number;
}

export interface ResponseStore {
  /** The largest record (as JSON, in bytes) a put accepts; a larger one is refused with ResponseTooLargeToStoreError. */
  readonly maxBytes?: number;
  /** The most stored bytes (JSON) a conversation is read back over (responses.max_conversation_bytes). */
  readonly maxConversationBytes?: number;
  /** Keeps the record for the store's TTL; a second put with the same id replaces it. */
  put(record: StoredResponse): Promise<void>;
  /**
   * Restarts the TTL of the tenant's records named (the earlier turns of a conversation a new turn was just
   * stored for), so a conversation in use lives the TTL after its last turn, not after its first; a record
   * that is gone (expired, deleted, another tenant's) stays gone. Optional: without it each turn expires on its own.
   */
  touch?(tenantId: string, ids: readonly string[]): Promise<void>;
  /** The tenant's record, or undefined when it does not exist, expired, or belongs to another tenant. */
  get(tenantId: string, id: string): Promise<StoredResponse | undefined>;
  /** True when the tenant's record existed and is now gone. */
  delete(tenantId: string, id: string): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * The JSON bytes of records as a store read them, kept beside the record (not in it: a record stays exactly what
 * was put) so a conversation's reader can add up its size without serializing every turn again.
 */
const encodedBytes = new WeakMap<StoredResponse, number>();

/** Noted by a store when it decodes a record from its JSON text. */
export function noteEncodedBytes(record: StoredResponse, bytes: number): void {
  encodedBytes.set(record, bytes);
}

/** A record's size as JSON: as its store read it, else (a store that did not say) serialized here. */
export function encodedBytesOf(record: StoredResponse): number {
  return encodedBytes.get(record) ?? Buffer.byteLength(JSON.stringify({ response: record.response, input: record.input }));
}

/** A put refused because the record is over the store's maxBytes: the caller tells its client (store: false). */
export class ResponseTooLargeToStoreError extends Error {
  constructor(bytes: number, max: number) {
    super(`the response and its turn's input take ${bytes} bytes, more than responses.max_stored_bytes (${max}); it was not stored`);
    this.name = "ResponseTooLargeToStoreError";
  }
}
