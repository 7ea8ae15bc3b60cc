// A stream whose client hangs up while the gateway waits for the upstream's next chunk: that wait is the
// upstream's time, not the gateway's. The log line (and the overhead metric made from the same value) must not
// count it as overhead, as it does not for a stream read to its end.
import { afterAll, beforeAll, expect, it } from "vitest";
import { startHarness, TENANT_KEY, type Harness } from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

type Line = { msg?: string; request_id?: string; duration_ms?: number; upstream_ms?: number; overhead_ms?: number; status?: number };
const lineOf = async (requestId: string): Promise<Line> => {
  for (let i = 0; i < 100; i++) {
    const line = h.logs.lines.map((l) => JSON.parse(l) as Line).find((l) => l.msg === "request" && l.request_id === requestId);
    if (line) return line;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no log line for ${requestId}`);
};

async function stream(hangUpAfterChunks?: number): Promise<string> {
  const ac = new AbortController();
  const res = await fetch(`${h.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${TENANT_KEY}` },
    body: JSON.stringify({ model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "one two three four five six seven eight" }] }),
    signal: ac.signal,
  });
  expect(res.status).toBe(200);
  const requestId = res.headers.get("x-request-id")!;
  const reader = res.body!.getReader();
  let chunks = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks += new TextDecoder().decode(value).split("\n\n").filter((e) => e.startsWith("data: {")).length;
    if (hangUpAfterChunks !== undefined && chunks >= hangUpAfterChunks) {
      // The upstream's next chunk is ~250 ms away: the gateway is waiting for it when the client leaves.
      await new Promise((r) => setTimeout(r, 150));
      ac.abort();
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  return requestId;
}

it("counts the wait a client hung up in as upstream time, not overhead, as for a stream read to its end", async () => {
  h.upstream.behave({ chunkDelayMs: 250, chunks: 8 }, { model: "gpt-4o-mini", times: 2 });
  const whole = await lineOf(await stream());
  const abandoned = await lineOf(await stream(2));
  // Relative bounds: on a loaded machine the gateway's own share grows, but it stays a small part of a stream
  // that mostly waits on its upstream; the bug counted the whole wait (upstream_ms ~2 ms of ~400) as overhead.
  expect(whole.overhead_ms!).toBeLessThan(whole.duration_ms! / 2);
  // Hung up ~400 ms into the stream, nearly all of it spent waiting on the upstream.
  expect(abandoned.duration_ms!).toBeGreaterThan(350);
  expect(abandoned.upstream_ms!).toBeGreaterThan(abandoned.duration_ms! / 2);
  expect(abandoned.overhead_ms!).toBeLessThan(abandoned.duration_ms! / 2);
});
