// Keeping a turn, against a real in-memory store: the earlier turns of the conversation it continues restart
// their TTL with it (a conversation in use outlives its first turn's TTL), and a passthrough answer under an id
// the tenant already has is refused (502) with nothing stored over it.
import { describe, expect, it } from "vitest";
import { MemoryResponseStore } from "../../state/memory-response-store";
import { storeResponseTurn } from "./store-response-turn";
import type { ResponseObject } from "./responses-types";

/** An OpenAI response object as an upstream answers it. */
const answer = (id: string): ResponseObject => ({ id, object: "response", created_at: 1, status: "completed", model: "m", output: [] });
const turn = (id: string) => ({ id, tenantId: "a", response: { id, output: [] }, input: [], createdAt: 1 });

describe("storeResponseTurn", () => {
  it("restarts the TTL of the conversation's earlier turns with each new one", async () => {
    const store = new MemoryResponseStore({ ttlMs: 1000, maxBytes: 1 << 20 });
    await store.put(turn("resp_first"));
    await store.put(turn("resp_unrelated"));
    // A new turn every 50 ms (20 within the TTL) until the unrelated record, put at the same time, expired.
    for (let i = 0, until = Date.now() + 10_000; (await store.get("a", "resp_unrelated")) !== undefined; i++) {
      if (Date.now() > until) throw new Error("the unrelated record never expired");
      const stored = await storeResponseTurn(store, "a", answer(`resp_next_${i}`), { body: { model: "m" }, input: [], previousResponseId: "resp_first", chainIds: new Set(["resp_first"]) }, undefined, false);
      expect(stored).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await store.get("a", "resp_first")).toBeDefined();
  });

  it("refuses a passthrough answer under an id the tenant already has, storing nothing", async () => {
    const store = new MemoryResponseStore({ ttlMs: 60_000, maxBytes: 1 << 20 });
    await store.put(turn("resp_taken"));
    const conversation = { body: { model: "m" }, input: ["new input"], chainIds: new Set<string>() };
    const err = await storeResponseTurn(store, "a", answer("resp_taken"), conversation, undefined, true).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 502, code: "upstream_protocol_error" });
    expect((await store.get("a", "resp_taken"))?.input).toEqual([]);
    // Another tenant's id is no collision: stored for this one.
    expect(await storeResponseTurn(store, "b", answer("resp_taken"), conversation, undefined, true)).toBe(true);
  });
});
