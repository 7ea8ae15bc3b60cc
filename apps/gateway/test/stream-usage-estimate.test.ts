// A stream that asked for usage (stream_options.include_usage) gets its usage chunk before [DONE] even when the
// provider reports none, as some OpenAI-compatible servers do: the gateway's estimate, the one it accounts,
// flagged `estimated: true`. A provider's own counts go through unflagged.
import { afterAll, beforeAll, expect, it } from "vitest";
import { postJson, readSse, startHarness, type Harness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

type Chunk = { id: string; object: string; created: number; model: string; choices: unknown[]; usage?: Record<string, unknown> | null };
const streamed = async (omitUsage: boolean): Promise<{ chunks: Chunk[]; done: boolean; requestId: string }> => {
  if (omitUsage) h.upstream.behave({ omitUsage: true }, { model: "gpt-4o-mini", times: 1 });
  const res = await postJson(`${h.url}/v1/chat/completions`, {
    model: "gpt-4o-mini",
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: "user", content: "count these words for me please" }],
  });
  expect(res.status).toBe(200);
  const events = await readSse(res);
  return { chunks: events.filter((e) => e !== "[DONE]").map((e) => JSON.parse(e) as Chunk), done: events.at(-1) === "[DONE]", requestId: res.headers.get("x-request-id")! };
};

it("sends the estimated usage chunk, flagged, when the provider reports none, with the numbers the gateway accounts", async () => {
  const { chunks, done, requestId } = await streamed(true);
  expect(done).toBe(true);
  const last = chunks.at(-1)!;
  expect(last.choices).toEqual([]);
  expect(last).toMatchObject({ id: chunks[0]!.id, object: "chat.completion.chunk", created: chunks[0]!.created, model: chunks[0]!.model });
  expect(last.usage).toMatchObject({ estimated: true });
  const u = last.usage as { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  expect(u.prompt_tokens).toBeGreaterThan(0);
  expect(u.completion_tokens).toBeGreaterThan(0);
  expect(u.total_tokens).toBe(u.prompt_tokens + u.completion_tokens);
  expect(chunks.filter((c) => c.usage).length).toBe(1);
  // The log line accounts the same estimate.
  let line: Record<string, unknown> | undefined;
  for (let i = 0; i < 50 && !line; i++) {
    line = h.logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === "request" && l.request_id === requestId);
    if (!line) await new Promise((r) => setTimeout(r, 20));
  }
  expect(line).toMatchObject({ prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, tokens_estimated: true });
});

it("passes the provider's own usage chunk unflagged", async () => {
  const { chunks } = await streamed(false);
  const withUsage = chunks.filter((c) => c.usage);
  expect(withUsage).toHaveLength(1);
  expect(withUsage[0]!.usage!.estimated).toBeUndefined();
  expect(withUsage[0]!.choices).toEqual([]);
});
