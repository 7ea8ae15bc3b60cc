// How a stored Responses API record is written to a backend: one JSON text per record, with a bound on its
// size. A record holds one turn (its own input, its response, and the id of the response it continued); past
// the bound it is refused rather than filling the state backend, and the caller says so to its client.
import { noteEncodedBytes, ResponseTooLargeToStoreError, type StoredResponse } from "../core/response-store";

export { ResponseTooLargeToStoreError };

export function encodeStoredResponse(record: StoredResponse, maxBytes: number): string {
  const text = JSON.stringify({ id: record.id, tenantId: record.tenantId, createdAt: record.createdAt, response: record.response, input: record.input, previousResponseId: record.previousResponseId });
  // Byte length only when the character count could be over: most records are far below the bound.
  if (text.length * 3 > maxBytes) {
    const bytes = Buffer.byteLength(text);
    if (bytes > maxBytes) throw new ResponseTooLargeToStoreError(bytes, maxBytes);
  }
  return text;
}

export function decodeStoredResponse(text: string): StoredResponse {
  const r = JSON.parse(text) as StoredResponse;
  const out: StoredResponse = { id: r.id, tenantId: r.tenantId, createdAt: r.createdAt, response: r.response, input: r.input };
  if (typeof r.previousResponseId === "string") out.previousResponseId = r.previousResponseId;
  noteEncodedBytes(out, Buffer.byteLength(text));
  return out;
}

export interface ResponseStoreOptions {
  /** How long a record is kept after its put. */
  ttlMs: number;
  /** The largest record (as JSON, in bytes) a put accepts. */
  maxBytes: number;
  /** The most stored bytes a conversation is read back over (absent: the chain reader's default). */
  maxConversationBytes?: number;
}
