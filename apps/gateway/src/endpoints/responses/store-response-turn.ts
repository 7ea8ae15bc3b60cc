// Keeping one answered turn in the tenant's response store (POST /v1/responses and its queued jobs): the
// turn's own input and the id of the response it continued, never the whole conversation again (that is
// read back along the chain: expand-conversation.ts). A turn too large to keep is said, not silently dropped:
// an input that alone is over the bound is refused before any upstream call, and a response that pushes the
// record over it is answered with `store: false` (the caller adds the x-runestone-store header).
import { badRequest, HttpError } from "../../core/http-error";
import { ResponseTooLargeToStoreError, type ResponseStore } from "../../core/response-store";
import type { Conversation } from "./expand-conversation";
import type { ResponseObject } from "./responses-types";

/** The x-runestone-store header's value for a response that asked to be stored and was not. */
export const STORE_SKIPPED_TOO_LARGE = "skipped; too-large";

/** 400 before the upstream call when this turn's input alone could never be stored. */
export function refuseInputTooLargeToStore(conversation: Conversation, store: ResponseStore | undefined): void {
  const max = store?.maxBytes;
  if (max === undefined) return;
  const text = JSON.stringify(conversation.input);
  // Byte length only when the character count could be over: most inputs are far below the bound.
  if (text.length * 3 <= max) return;
  const bytes = Buffer.byteLength(text);
  if (bytes > max) {
    throw badRequest(`The input takes ${bytes} bytes, more than the ${max} this gateway stores per response (responses.max_stored_bytes); send it with "store": false, or a smaller input.`, "input", "input_too_large_to_store");
  }
}

/**
 * Puts the turn; false when it was too large (then `response.store` is set to false, so the answer tells the
 * client it cannot be read back or continued). Any other failure is reported and the answer goes out as is.
 */
export async function storeResponseTurn(store: ResponseStore, tenantId: string, response: ResponseObject, conversation: Conversation, onStoreError: ((err: unknown) => void) | undefined, passthrough: boolean): Promise<boolean> {
  if (typeof response.id !== "string") return true;
  if (passthrough) await refuseReusedUpstreamId(store, tenantId, response.id, conversation);
  try {
    const createdAt = typeof response.created_at === "number" ? response.created_at : Math.floor(Date.now() / 1000);
    await store.put({ id: response.id, tenantId, response, input: conversation.input, previousResponseId: conversation.previousResponseId, createdAt });
    // Each turn expires on its own clock: the earlier ones restart theirs, or the conversation would end when
    // its first turn expires however active it is.
    if (conversation.chainIds?.size) await store.touch?.(tenantId, [...conversation.chainIds]);
    return true;
  } catch (err) {
    onStoreError?.(err);
    if (!(err instanceof ResponseTooLargeToStoreError)) return true;
    (response as Record<string, unknown>).store = false;
    return false;
  }
}

/**
 * An OpenAI answer (passthrough: the id is the upstream's, not one the gateway made) is stored under its own
 * id, so an id the tenant already has would replace that record, or, being a turn of the conversation it
 * continues, make the chain loop (a record its own previous one). Such an answer breaks the API's promise of
 * a new id: a 502 upstream_protocol_error (in a stream, the error event), nothing stored. The read is only
 * for passthrough answers: the gateway's own ids are fresh random ones.
 */
async function refuseReusedUpstreamId(store: ResponseStore, tenantId: string, id: string, conversation: Conversation): Promise<void> {
  if (!conversation.chainIds?.has(id) && !(await store.get(tenantId, id))) return;
  throw new HttpError({ status: 502, type: "service_error", code: "upstream_protocol_error", message: "the upstream provider sent an invalid response: its id names a response already stored (it was not stored again)" });
}
