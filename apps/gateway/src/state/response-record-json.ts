// How a stored Responses API record is written to a backend: one JSON text per record, with a bound on its
// size. A record holds its whole conversation (each turn replays the previous ones), so a long chain grows
// with every turn; past the bound it is refused rather than filling the state backend.
import type { StoredResponse } from "../core/response-store";

export class ResponseTooLargeToStoreError extends Error {
  constructor(bytes: number, max: number) {
    super(`the response and its conversation take ${bytes} bytes, more than responses.max_stored_bytes (${max}); it was not stored`);
    this.name = "ResponseTooLargeToStoreError";
  }
}

export function encodeStoredResponse(record: StoredResponse, maxBytes: number): string {
  const text = JSON.stringify({ id: record.id, tenantId: record.tenantId, createdAt: record.createdAt, response: record.response, input: record.input });
  // Byte length only when the character count could be over: most records are far below the bound.
  if (text.length * 3 > maxBytes) {
    const bytes = Buffer.byteLength(text);
    if (bytes > maxBytes) throw new ResponseTooLargeToStoreError(bytes, maxBytes);
  }
  return text;
}

export function decodeStoredResponse(text: string): StoredResponse {
  const r = JSON.parse(text) as StoredResponse;
  return { id: r.id, tenantId: r.tenantId, createdAt: r.createdAt, response: r.response, input: r.input };
}

export interface ResponseStoreOptions {
  /** How long a record is kept after its put. */
  ttlMs: number;
  /** The largest record (as JSON, in bytes) a put accepts. */
  maxBytes: number;
}
