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
   * The whole conversation this response answered, as Responses input items: the replayed history of its
   * `previous_response_id` chain followed by this request's own input (a string input becomes one user
   * message item). Replaying `input` + `response.output` + the next request's input continues it.
   */
  input: unknown[];
  /** Unix seconds. */
  createdAt: number;
}

export interface ResponseStore {
  /** Keeps the record for the store's TTL; a second put with the same id replaces it. */
  put(record: StoredResponse): Promise<void>;
  /** The tenant's record, or undefined when it does not exist, expired, or belongs to another tenant. */
  get(tenantId: string, id: string): Promise<StoredResponse | undefined>;
  /** True when the tenant's record existed and is now gone. */
  delete(tenantId: string, id: string): Promise<boolean>;
  close(): Promise<void>;
}
