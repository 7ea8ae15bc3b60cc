// previous_response_id against a real in-memory store (state/memory-response-store.ts): the stored conversation
// replayed before the new input, per tenant, and the id never left in the request.
import { describe, expect, it } from "vitest";
import { HttpError } from "../../core/http-error";
import { MemoryResponseStore } from "../../state/memory-response-store";
import { expandConversation } from "./expand-conversation";
import type { ResponsesBody } from "./responses-types";

async function storeWith(response: Record<string, unknown>, input: unknown[]) {
  const store = new MemoryResponseStore({ ttlMs: 60_000, maxBytes: 1 << 20 });
  await store.put({ id: "resp_1", tenantId: "a", response: { id: "resp_1", ...response }, input, createdAt: 1 });
  return store;
}

describe("expandConversation", () => {
  it("replays OpenAI's stored output as it was, between the stored input and the new one, without the id", async () => {
    const output = [{ id: "rs_x", type: "reasoning", encrypted_content: "abc", summary: [] }, { id: "msg_x", type: "message", role: "assistant", content: [{ type: "output_text", text: "hi" }] }];
    const store = await storeWith({ output }, [{ type: "message", role: "user", content: "first" }]);
    const { body, input } = await expandConversation({ model: "m", input: "second", previous_response_id: "resp_1", store: true } as ResponsesBody, "a", store);
    expect(input).toEqual([{ type: "message", role: "user", content: "first" }, ...output, { type: "message", role: "user", content: "second" }]);
    expect(body).toEqual({ model: "m", input, store: true });
  });

  it("replays a translated provider's output without its reasoning items and the gateway's item ids", async () => {
    const output = [
      { id: "rs_g", type: "reasoning", summary: [], content: [{ type: "reasoning_text", text: "think" }] },
      { id: "fc_g", type: "function_call", call_id: "toolu_1", name: "f", arguments: "{}" },
    ];
    const store = await storeWith({ provider: "anthropic", output }, []);
    const { input } = await expandConversation({ model: "m", input: [{ type: "function_call_output", call_id: "toolu_1", output: "ok" }], previous_response_id: "resp_1" } as ResponsesBody, "a", store);
    expect(input).toEqual([{ type: "function_call", call_id: "toolu_1", name: "f", arguments: "{}" }, { type: "function_call_output", call_id: "toolu_1", output: "ok" }]);
  });

  it("answers 404 previous_response_not_found for another tenant's id, and without a store", async () => {
    const store = await storeWith({ output: [] }, []);
    for (const s of [store, undefined]) {
      const err = await expandConversation({ model: "m", input: "x", previous_response_id: "resp_1" } as ResponsesBody, "b", s).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HttpError);
      expect(err).toMatchObject({ status: 404, code: "previous_response_not_found", param: "previous_response_id" });
    }
  });
});
