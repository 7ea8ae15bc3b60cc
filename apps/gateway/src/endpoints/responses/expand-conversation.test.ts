// previous_response_id against a real in-memory store (state/memory-response-store.ts): the stored conversation
// replayed before the new input, per tenant, and the id never left in the request.
import { describe, expect, it } from "vitest";
import { HttpError } from "../../core/http-error";
import { MemoryResponseStore } from "../../state/memory-response-store";
import { expandConversation, MAX_CONVERSATION_TURNS } from "./expand-conversation";
import type { ResponsesBody } from "./responses-types";

async function storeWith(response: Record<string, unknown>, input: unknown[]) {
  const store = new MemoryResponseStore({ ttlMs: 60_000, maxBytes: 1 << 20 });
  await store.put({ id: "resp_1", tenantId: "a", response: { id: "resp_1", ...response }, input, createdAt: 1 });
  return store;
}

/** The real in-memory store, counting its reads (how far a chain walk went). */
class CountingStore extends MemoryResponseStore {
  reads = 0;
  override async get(tenantId: string, id: string) {
    this.reads++;
    return super.get(tenantId, id);
  }
}

describe("expandConversation", () => {
  it("replays OpenAI's stored output as it was, between the stored input and the new one, without the id", async () => {
    const output = [{ id: "rs_x", type: "reasoning", encrypted_content: "abc", summary: [] }, { id: "msg_x", type: "message", role: "assistant", content: [{ type: "output_text", text: "hi" }] }];
    const store = await storeWith({ output }, [{ type: "message", role: "user", content: "first" }]);
    const { body, input, previousResponseId } = await expandConversation({ model: "m", input: "second", previous_response_id: "resp_1", store: true } as ResponsesBody, "a", store);
    expect(body).toEqual({ model: "m", input: [{ type: "message", role: "user", content: "first" }, ...output, { type: "message", role: "user", content: "second" }], store: true });
    // What this turn's record keeps: its own input and its parent, never the conversation again.
    expect(input).toEqual([{ type: "message", role: "user", content: "second" }]);
    expect(previousResponseId).toBe("resp_1");
  });

  it("replays a translated provider's output without its reasoning items and the gateway's item ids", async () => {
    const output = [
      { id: "rs_g", type: "reasoning", summary: [], content: [{ type: "reasoning_text", text: "think" }] },
      { id: "fc_g", type: "function_call", call_id: "toolu_1", name: "f", arguments: "{}" },
    ];
    const store = await storeWith({ provider: "anthropic", output }, []);
    const { body } = await expandConversation({ model: "m", input: [{ type: "function_call_output", call_id: "toolu_1", output: "ok" }], previous_response_id: "resp_1" } as ResponsesBody, "a", store);
    expect(body.input).toEqual([{ type: "function_call", call_id: "toolu_1", name: "f", arguments: "{}" }, { type: "function_call_output", call_id: "toolu_1", output: "ok" }]);
  });

  it("answers 404 previous_response_not_found for another tenant's id, and without a store", async () => {
    const store = await storeWith({ output: [] }, []);
    for (const s of [store, undefined]) {
      const err = await expandConversation({ model: "m", input: "x", previous_response_id: "resp_1" } as ResponsesBody, "b", s).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HttpError);
      expect(err).toMatchObject({ status: 404, code: "previous_response_not_found", param: "previous_response_id" });
    }
  });

  it("reads a conversation back along its chain of one-turn records, oldest turn first", async () => {
    const store = new MemoryResponseStore({ ttlMs: 60_000, maxBytes: 1 << 20 });
    const msg = (role: string, content: string) => ({ type: "message", role, content });
    const out = (text: string) => ({ id: `msg_${text}`, type: "message", role: "assistant", content: [{ type: "output_text", text }] });
    // A record written before chains existed holds its whole conversation and starts the chain.
    await store.put({ id: "resp_1", tenantId: "a", response: { id: "resp_1", output: [out("r1")] }, input: [msg("user", "old-0"), msg("user", "q1")], createdAt: 1 });
    await store.put({ id: "resp_2", tenantId: "a", response: { id: "resp_2", output: [out("r2")] }, input: [msg("user", "q2")], previousResponseId: "resp_1", createdAt: 2 });
    const { body, input } = await expandConversation({ model: "m", input: "q3", previous_response_id: "resp_2" } as ResponsesBody, "a", store);
    expect(body.input).toEqual([msg("user", "old-0"), msg("user", "q1"), out("r1"), msg("user", "q2"), out("r2"), msg("user", "q3")]);
    expect(input).toEqual([msg("user", "q3")]);
  });

  it("answers 404 naming the earlier turn when one of the chain expired or was deleted", async () => {
    const store = new MemoryResponseStore({ ttlMs: 60_000, maxBytes: 1 << 20 });
    await store.put({ id: "resp_1", tenantId: "a", response: { id: "resp_1", output: [] }, input: [], createdAt: 1 });
    await store.put({ id: "resp_2", tenantId: "a", response: { id: "resp_2", output: [] }, input: [], previousResponseId: "resp_1", createdAt: 2 });
    await store.delete("a", "resp_1");
    const err = await expandConversation({ model: "m", input: "x", previous_response_id: "resp_2" } as ResponsesBody, "a", store).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 404, code: "previous_response_not_found", param: "previous_response_id" });
    expect((err as Error).message).toContain("earlier turn ('resp_1')");
    expect((err as Error).message).toContain("expired or was deleted");
  });

  it("refuses a chain longer than the turns it reads back, with 400", async () => {
    const store = new MemoryResponseStore({ ttlMs: 60_000, maxBytes: 1 << 20, maxRecords: 2000 });
    for (let i = 0; i <= MAX_CONVERSATION_TURNS; i++) {
      await store.put({ id: `resp_${i}`, tenantId: "a", response: { id: `resp_${i}`, output: [] }, input: [], ...(i ? { previousResponseId: `resp_${i - 1}` } : {}), createdAt: i });
    }
    const err = await expandConversation({ model: "m", input: "x", previous_response_id: `resp_${MAX_CONVERSATION_TURNS}` } as ResponsesBody, "a", store).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, code: "conversation_too_long", param: "previous_response_id" });
    await expect(expandConversation({ model: "m", input: "x", previous_response_id: `resp_${MAX_CONVERSATION_TURNS - 1}` } as ResponsesBody, "a", store)).resolves.toBeDefined();
  });

  it("stops reading at the turn that takes the chain past maxConversationBytes, with 400 conversation_too_long", async () => {
    const store = new CountingStore({ ttlMs: 60_000, maxBytes: 1 << 20, maxConversationBytes: 10_000 });
    for (let i = 0; i < 20; i++) {
      await store.put({ id: `resp_${i}`, tenantId: "a", response: { id: `resp_${i}`, output: [] }, input: ["x".repeat(1000)], ...(i ? { previousResponseId: `resp_${i - 1}` } : {}), createdAt: i });
    }
    const err = await expandConversation({ model: "m", input: "x", previous_response_id: "resp_19" } as ResponsesBody, "a", store).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 400, code: "conversation_too_long", param: "previous_response_id" });
    expect((err as Error).message).toContain("max_conversation_bytes");
    // ~1 KB turns under a 10 KB bound: about ten reads, not the whole chain of twenty.
    expect(store.reads).toBeLessThanOrEqual(11);
    store.reads = 0;
    await expect(expandConversation({ model: "m", input: "x", previous_response_id: "resp_5" } as ResponsesBody, "a", store)).resolves.toBeDefined();
  });

  it("refuses a chain that loops at its first repeated turn, not after MAX_CONVERSATION_TURNS reads", async () => {
    const store = new CountingStore({ ttlMs: 60_000, maxBytes: 1 << 20 });
    await store.put({ id: "resp_1", tenantId: "a", response: { id: "resp_1", output: [] }, input: [], previousResponseId: "resp_2", createdAt: 1 });
    await store.put({ id: "resp_2", tenantId: "a", response: { id: "resp_2", output: [] }, input: [], previousResponseId: "resp_1", createdAt: 2 });
    await store.put({ id: "resp_self", tenantId: "a", response: { id: "resp_self", output: [] }, input: [], previousResponseId: "resp_self", createdAt: 3 });
    for (const [id, reads] of [["resp_2", 2], ["resp_self", 1]] as const) {
      store.reads = 0;
      const err = await expandConversation({ model: "m", input: "x", previous_response_id: id } as ResponsesBody, "a", store).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 400, param: "previous_response_id" });
      expect((err as Error).message).toContain("loops");
      expect(store.reads).toBe(reads);
    }
  });

  it("resolves an item_reference from the tenant's stored conversation, and never forwards one it cannot", async () => {
    const store = new MemoryResponseStore({ ttlMs: 60_000, maxBytes: 1 << 20 });
    const call = { id: "fc_1", type: "function_call", call_id: "call_1", name: "f", arguments: "{}" };
    await store.put({ id: "resp_1", tenantId: "a", response: { id: "resp_1", output: [call] }, input: [{ id: "msg_in", type: "message", role: "user", content: "hi" }], createdAt: 1 });
    const ref = (id: string) => ({ type: "item_reference", id }) as never;
    const { body, input } = await expandConversation({ model: "m", input: [ref("fc_1"), ref("msg_in")], previous_response_id: "resp_1" } as ResponsesBody, "a", store);
    expect(input).toEqual([call, { id: "msg_in", type: "message", role: "user", content: "hi" }]);
    expect(JSON.stringify(body)).not.toContain("item_reference");
    // Another tenant's chain, an unknown id, or no chain at all: the client's 400, naming the item.
    for (const [tenant, prev, id] of [["b", "resp_1", "fc_1"], ["a", "resp_1", "fc_other"], ["a", undefined, "fc_1"]] as const) {
      const err = await expandConversation({ model: "m", input: [{ type: "message", role: "user", content: "x" }, ref(id)], ...(prev ? { previous_response_id: prev } : {}) } as ResponsesBody, tenant, store).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: tenant === "b" ? 404 : 400 });
      if (tenant === "a") expect(err).toMatchObject({ code: "item_not_found", param: "input.1.id" });
    }
  });
});
