// State between Responses API calls, kept by the gateway for every provider: `previous_response_id` names a
// response this tenant stored, whose conversation (its input, then its output items) is replayed before the
// new input; the id itself is never forwarded, not even to OpenAI, where another tenant's response could live
// under the same upstream key. An id the tenant's store does not hold is a 404.
import { notFound } from "../../core/http-error";
import type { ResponseStore } from "../../core/response-store";
import type { ResponseInputItem, ResponsesBody } from "./responses-types";

export interface Conversation {
  /** The request to serve: `input` the whole conversation, `previous_response_id` removed. */
  body: ResponsesBody;
  /** The conversation as input items: what the stored record's `input` is. */
  input: unknown[];
}

/** The request's own input as items (a text input is one user message). */
export function inputItems(input: ResponsesBody["input"]): ResponseInputItem[] {
  return typeof input === "string" ? [{ type: "message", role: "user", content: input }] : input;
}

export async function expandConversation(body: ResponsesBody, tenantId: string, store: ResponseStore | undefined): Promise<Conversation> {
  const previousId = body.previous_response_id;
  if (typeof previousId !== "string" || !previousId) {
    if (previousId === null) {
      const { previous_response_id: _, ...rest } = body;
      return { body: rest as ResponsesBody, input: inputItems(body.input) };
    }
    return { body, input: inputItems(body.input) };
  }
  const previous = await store?.get(tenantId, previousId);
  if (!previous) {
    throw notFound(`Previous response with id '${previousId}' not found (responses are kept per tenant, for a limited time, unless created with store: false).`, "previous_response_not_found", "previous_response_id");
  }
  const input = [...previous.input, ...replayable(previous.response), ...inputItems(body.input)];
  const { previous_response_id: _, ...rest } = body;
  return { body: { ...rest, input: input as ResponseInputItem[] } as ResponsesBody, input };
}

/**
 * A stored response's output as input items. A response the gateway built (a translated provider's: it names
 * its `provider`) is replayed without its reasoning items and without item ids, which are the gateway's own:
 * OpenAI, should the conversation continue there, knows neither (it refuses reasoning it did not produce).
 * OpenAI's own output is replayed as OpenAI returned it.
 */
function replayable(response: Record<string, unknown>): unknown[] {
  const output = Array.isArray(response.output) ? (response.output as Array<Record<string, unknown>>) : [];
  if (typeof response.provider !== "string") return output;
  return output.filter((item) => item?.type !== "reasoning").map(({ id: _, ...item }) => item);
}
