// What the response cache adds to a request, without the network: `vitest bench --run` (numbers are read,
// never asserted; bench/README.md "Response cache" has a run). A miss is the ticket (one canonical hash of
// the body), the lookup, and storing the answer; a hit is the ticket, the lookup and parsing the answer.
import { randomBytes } from "node:crypto";
import { bench, describe } from "vitest";
import type { ChatCompletion } from "../core/provider-contract";
import { MemoryCacheStore } from "./memory-cache-store";
import { ResponseCache } from "./response-cache";

const body = {
  model: "gpt-4o-mini",
  temperature: 0.2,
  max_tokens: 400,
  messages: [
    { role: "system", content: "You are a helpful assistant. ".repeat(10) },
    { role: "user", content: "Summarise the following text in three sentences. ".repeat(12) },
    { role: "assistant", content: "Here is a summary of the text you sent. ".repeat(6) },
    { role: "user", content: "Now make it shorter." },
  ],
  tools: [{ type: "function", function: { name: "lookup", description: "Look a word up.", parameters: { type: "object", properties: { word: { type: "string" } }, required: ["word"] } } }],
};
const openai = { model: { id: "gpt-4o-mini" }, provider: { id: "openai" }, upstreamModel: "gpt-4o-mini" };
const completion = {
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1,
  model: "gpt-4o-mini",
  choices: [{ index: 0, message: { role: "assistant", content: "A short summary. ".repeat(20), refusal: null }, finish_reason: "stop", logprobs: null }],
  usage: { prompt_tokens: 300, completion_tokens: 60, total_tokens: 360 },
} as unknown as ChatCompletion;

const cache = new ResponseCache(new MemoryCacheStore(64 * 1024 * 1024), { cacheTenants: new Map([["on", { ttlSeconds: 300 }]]), maxEntryBytes: 1 << 20, keySecret: randomBytes(32) });
// A warm cache: 10,000 other answers stored.
for (let i = 0; i < 10_000; i++) cache.save(cache.ticket("on", {}, { ...body, seed: i }, openai)!, openai, { completion, provider: "openai", model: "gpt-4o-mini", costUsd: 0.0001 });
const hitTicket = cache.ticket("on", {}, body, openai)!;
cache.save(hitTicket, openai, { completion, provider: "openai", model: "gpt-4o-mini", costUsd: 0.0001 });
let n = 0;

describe("response cache per request", () => {
  bench("off for the tenant (no header): directives only", () => {
    cache.ticket("off", {}, body, openai);
  });
  bench("miss: ticket (hash) + lookup + store the answer", async () => {
    const t = cache.ticket("on", {}, { ...body, temperature: ++n }, openai)!;
    await cache.lookup(t);
    cache.save(t, openai, { completion, provider: "openai", model: "gpt-4o-mini", costUsd: 0.0001 });
  });
  bench("hit: ticket (hash) + lookup + parse the answer", async () => {
    await cache.lookup(cache.ticket("on", {}, body, openai)!);
  });
});
