// State between Responses API calls, kept by the gateway for every provider: `previous_response_id` names a
// response this tenant stored, whose conversation (every earlier turn's input and output, read along the chain
// of stored turns) is replayed before the new input; the id itself is never forwarded, not even to OpenAI, where
// another tenant's response could live under the same upstream key. For the same reason an `item_reference`
// input item is resolved here, from the items of that stored conversation, and never forwarded. An id the
// tenant's store does not hold is a 404; so is a conversation whose earlier turn expired or was deleted.
import { badRequest, HttpError, notFound } from "../../core/http-error";
import { encodedBytesOf, type ResponseStore, type StoredResponse } from "../../core/response-store";
import { isGatewayEncryptedContent } from "./reasoning-encrypted-content";
import type { ResponseInputItem, ResponsesBody } from "./responses-types";

/** The most turns a conversation is read back over (each one a tenant-scoped read of the store). */
export const MAX_CONVERSATION_TURNS = 1000;
/** The stored bytes a conversation is read back over when the store names no bound (responses.max_conversation_bytes' default). */
export const DEFAULT_MAX_CONVERSATION_BYTES = 32 * 1024 * 1024;

export interface Conversation {
  /** The request to serve: `input` the whole conversation, `previous_response_id` removed. */
  body: ResponsesBody;
  /** This turn's own input items (item references resolved): what the stored record's `input` is. */
  input: unknown[];
  /** The response this turn continues: what the stored record names as its previous one. */
  previousResponseId?: string;
  /** The ids of the stored turns replayed (the chain): a new turn stored under one of them would loop it. */
  chainIds?: ReadonlySet<string>;
}

/** The request's own input as items (a text input is one user message; no input, none). */
export function inputItems(input: ResponsesBody["input"]): ResponseInputItem[] {
  if (input === undefined) return [];
  return typeof input === "string" ? [{ type: "message", role: "user", content: input }] : input;
}

export async function expandConversation(body: ResponsesBody, tenantId: string, store: ResponseStore | undefined): Promise<Conversation> {
  const previousId = body.previous_response_id;
  const { previous_response_id: _, ...rest } = body;
  if (typeof previousId !== "string" || !previousId) {
    const own = resolveReferences(inputItems(body.input), undefined);
    const served = own.resolved ? ({ ...rest, input: own.items } as ResponsesBody) : previousId === null ? (rest as ResponsesBody) : body;
    return { body: served, input: own.items };
  }
  const previous = await store?.get(tenantId, previousId);
  if (!previous) {
    throw notFound(`Previous response with id '${previousId}' not found (responses are kept per tenant, for a limited time, unless created with store: false).`, "previous_response_not_found", "previous_response_id");
  }
  const chain = await loadChain(store!, tenantId, previous, (earlier) =>
    notFound(`An earlier turn ('${earlier}') of the conversation of '${previousId}' has expired or was deleted, so the conversation can no longer be continued; send the whole conversation as input instead.`, "previous_response_not_found", "previous_response_id"),
  );
  const own = resolveReferences(inputItems(body.input), chain);
  const input = [...conversationItems(chain), ...replayable(previous.response), ...own.items];
  return { body: { ...rest, input: input as ResponseInputItem[] } as ResponsesBody, input: own.items, previousResponseId: previousId, chainIds: new Set(chain.map((r) => r.id)) };
}

/**
 * A stored record's chain, oldest turn first and ending with the record: each step one tenant-scoped read, at
 * most MAX_CONVERSATION_TURNS of them and at most the store's maxConversationBytes of stored JSON (the walk
 * stops at the turn that passes it, before reading further: the replayed conversation becomes one upstream
 * body, which nothing else bounds). A turn that is gone is `missing(its id)`; a chain that comes back to a turn
 * it already read (a loop, which no put should make) stops there.
 */
export async function loadChain(store: ResponseStore, tenantId: string, record: StoredResponse, missing: (id: string) => HttpError): Promise<StoredResponse[]> {
  const maxBytes = store.maxConversationBytes ?? DEFAULT_MAX_CONVERSATION_BYTES;
  const chain = [record];
  const seen = new Set([record.id]);
  let bytes = encodedBytesOf(record);
  for (let at = record; ; ) {
    if (bytes > maxBytes) {
      throw badRequest(`The conversation's stored turns take more than ${maxBytes} bytes, more than the gateway replays (responses.max_conversation_bytes); start a new one (send its gist as input).`, "previous_response_id", "conversation_too_long");
    }
    if (at.previousResponseId === undefined) break;
    if (chain.length >= MAX_CONVERSATION_TURNS) {
      throw badRequest(`The conversation has more than ${MAX_CONVERSATION_TURNS} stored turns, more than the gateway reads back; start a new one (send its gist as input).`, "previous_response_id", "conversation_too_long");
    }
    if (seen.has(at.previousResponseId)) {
      throw badRequest(`The stored conversation loops: its turn '${at.id}' names '${at.previousResponseId}', a later turn of the same conversation, as its previous one; it cannot be replayed, start a new one.`, "previous_response_id", "conversation_too_long");
    }
    const earlier = await store.get(tenantId, at.previousResponseId);
    if (!earlier) throw missing(at.previousResponseId);
    seen.add(at.previousResponseId);
    bytes += encodedBytesOf(earlier);
    chain.push(earlier);
    at = earlier;
  }
  return chain.reverse();
}

/**
 * The input items of a chain's last turn, as one conversation: every earlier turn's input and replayable
 * output, then the last turn's input. A record without a previous one (also one written before chains, which
 * holds its whole conversation) starts it.
 */
export function conversationItems(chain: StoredResponse[]): unknown[] {
  const items: unknown[] = [];
  chain.forEach((r, i) => {
    items.push(...r.input);
    if (i < chain.length - 1) items.push(...replayable(r.response));
  });
  return items;
}

/**
 * `item_reference` items replaced by the stored item they name, looked up in the tenant's own conversation
 * (the previous_response_id chain): an id it does not hold, or a reference without that chain, is the client's
 * 400, never a request to OpenAI that could resolve another tenant's item under the shared key.
 */
function resolveReferences(items: ResponseInputItem[], chain: StoredResponse[] | undefined): { items: ResponseInputItem[]; resolved: boolean } {
  if (!items.some((it) => it?.type === "item_reference")) return { items, resolved: false };
  const byId = chain ? storedItemsById(chain) : new Map<string, unknown>();
  const out = items.map((it, i) => {
    if (it?.type !== "item_reference") return it;
    const id = (it as { id?: unknown }).id;
    const found = typeof id === "string" ? byId.get(id) : undefined;
    if (!found) {
      throw badRequest(`input.${i}: item_reference '${String(id)}' is not an item of this tenant's stored conversation; the gateway resolves item references only among the items of the conversation named by previous_response_id.`, `input.${i}.id`, "item_not_found");
    }
    return found as ResponseInputItem;
  });
  return { items: out, resolved: true };
}

/** The items of a chain that carry an id (inputs and outputs), as they would be replayed. */
function storedItemsById(chain: StoredResponse[]): Map<string, unknown> {
  const byId = new Map<string, unknown>();
  for (const r of chain) {
    for (const item of r.input) {
      const id = (item as { id?: unknown } | null)?.id;
      if (typeof id === "string") byId.set(id, item);
    }
    const output = Array.isArray(r.response.output) ? (r.response.output as Array<Record<string, unknown>>) : [];
    const built = typeof r.response.provider === "string";
    for (const item of output) {
      if (typeof item?.id !== "string") continue;
      // A gateway-built item's id is the gateway's own: replayed without it, as replayable() does.
      const { id, ...rest } = item;
      byId.set(id, built ? rest : item);
    }
  }
  return byId;
}

/**
 * A stored response's output as input items. A response the gateway built (a translated provider's: it names
 * its `provider`) is replayed without item ids, which are the gateway's own and OpenAI would not know, and
 * without reasoning items other than those carrying the provider's signed thinking in the gateway's
 * encrypted_content (a translated provider needs those back; the passthrough drops them for OpenAI, which
 * refuses reasoning it did not produce: strip-gateway-items.ts). OpenAI's own output is replayed as returned.
 */
function replayable(response: Record<string, unknown>): unknown[] {
  const output = Array.isArray(response.output) ? (response.output as Array<Record<string, unknown>>) : [];
  if (typeof response.provider !== "string") return output;
  return output.filter((item) => item?.type !== "reasoning" || isGatewayEncryptedContent(item.encrypted_content)).map(({ id: _, ...item }) => item);
}
