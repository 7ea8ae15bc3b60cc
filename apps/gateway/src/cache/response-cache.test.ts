import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { ChatCompletion } from "../core/provider-contract";
import { MemoryCacheStore } from "./memory-cache-store";
import { ResponseCache } from "./response-cache";

const by = { model: { id: "m" }, provider: { id: "p" }, upstreamModel: "m" };
const answer = (content: string) => ({
  completion: { id: "c", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }] } as unknown as ChatCompletion,
  provider: "p",
  model: "m",
  costUsd: null,
});

describe("the response cache's entry bound", () => {
  it("counts an answer's UTF-8 bytes against max_entry_kb, not its UTF-16 length", async () => {
    const cache = new ResponseCache(new MemoryCacheStore(1 << 20), { cacheTenants: new Map([["t", { ttlSeconds: 60 }]]), maxEntryBytes: 1024, keySecret: randomBytes(32) });
    const ascii = cache.ticket("t", {}, { messages: ["a"] }, by)!;
    cache.save(ascii, by, answer("a".repeat(700)));
    expect((await cache.lookup(ascii)).status).toBe("hit");
    // 300 characters of 3 bytes each: under 1024 UTF-16 units in all, over 1024 bytes.
    const wide = cache.ticket("t", {}, { messages: ["b"] }, by)!;
    const text = "€".repeat(300);
    expect(JSON.stringify(answer(text)).length).toBeLessThan(1024);
    cache.save(wide, by, answer(text));
    expect((await cache.lookup(wide)).status).toBe("miss");
  });
});
