// Tenant limits in embedded mode (one process): requests per minute, concurrency and tokens per
// minute under concurrent bursts, the x-ratelimit-* headers, release on every way a request ends,
// and what `tenant_id` may and may not select.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSse } from "./harness";
import { chat, KEYS, limitsConfigYaml, startInstances, tempSqlitePath, within, type Instances } from "./limits-harness";

let gw: Instances;
let url: string;
const db = tempSqlitePath();

beforeAll(async () => {
  const extra = `  - id: partner
    keys: [sk-test-partner-0123456789]
    limits: { requests_per_minute: 3 }
`;
  gw = await startInstances(1, (u) => limitsConfigYaml(u, `{ sqlite_path: ${db.path} }`, extra));
  url = gw.urls[0]!;
});

afterAll(async () => {
  await gw.close();
  db.cleanup();
});

describe("requests per minute", () => {
  it("admits exactly the configured requests of a concurrent burst and refuses the rest with 429 and Retry-After", async () => {
    const results = await Promise.all(Array.from({ length: 12 }, () => chat(url, KEYS.rpm)));
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(5);
    expect(refused).toHaveLength(7);
    const body = (await refused[0]!.json()) as { error: { type: string; code: string; message: string } };
    expect(body.error.type).toBe("rate_limit_error");
    expect(body.error.code).toBe("rate_limit_exceeded");
    expect(body.error.message).toContain("5 requests per minute");
    // The window is a sliding minute: the earliest slot frees about 60 s after it was taken.
    const retryAfter = Number(refused[0]!.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(50);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused[0]!.headers.get("x-ratelimit-limit-requests")).toBe("5");
    expect(refused[0]!.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    await Promise.all(ok.map((r) => r.text()));
  });

  it("counts down x-ratelimit-remaining-requests on each response, JSON and stream alike", async () => {
    const first = await chat(url, "sk-test-partner-0123456789");
    expect(first.status).toBe(200);
    expect(first.headers.get("x-ratelimit-limit-requests")).toBe("3");
    expect(first.headers.get("x-ratelimit-remaining-requests")).toBe("2");
    expect(first.headers.get("x-ratelimit-reset-requests")).toMatch(/^(\d+(\.\d)?s|\d+ms|1m0s)$/);
    expect(first.headers.get("x-ratelimit-limit-tokens")).toBeNull();
    await first.text();
    const stream = await chat(url, "sk-test-partner-0123456789", { stream: true });
    expect(stream.status).toBe(200);
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    expect(stream.headers.get("x-ratelimit-remaining-requests")).toBe("1");
    expect((await readSse(stream)).at(-1)).toBe("[DONE]");
    // An error response of a limited tenant carries them too (and counts: it was admitted).
    gw.upstream.behave({ status: 400 }, { model: "gpt-4o-mini", times: 1 });
    const failed = await chat(url, "sk-test-partner-0123456789");
    expect(failed.status).toBe(400);
    expect(failed.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    await failed.text();
    const refused = await chat(url, "sk-test-partner-0123456789");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("x-ratelimit-remaining-requests")).toBe("0");
  });
});

describe("concurrency", () => {
  it("admits exactly max_concurrent requests at once and frees the slots when they end", async () => {
    gw.upstream.behave({ stall: "before-headers" }, { model: "stall-model" });
    const controllers = Array.from({ length: 8 }, () => new AbortController());
    const pending = controllers.map((c) => chat(url, KEYS.conc, { model: "slow" }, { signal: c.signal }).then((r) => r, () => "aborted" as const));
    // Refusals come back at once; the admitted ones hang on the stalled upstream.
    const refused: Response[] = [];
    pending.forEach((p) => void p.then((r) => r !== "aborted" && r.status === 429 && refused.push(r)));
    const waited = await within(10_000, async () => refused.length >= 6);
    expect(waited).toBeDefined();
    await new Promise((r) => setTimeout(r, 300));
    expect(refused).toHaveLength(6);
    const body = (await refused[0]!.json()) as { error: { message: string } };
    expect(body.error.message).toContain("2 concurrent requests");
    expect(Number(refused[0]!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // The two in flight end by client disconnect; their slots are freed.
    for (const c of controllers) c.abort();
    await Promise.all(pending);
    gw.upstream.reset();
    const freed = await within(5_000, async () => {
      const r = await chat(url, KEYS.conc);
      await r.text();
      return r.status === 200;
    });
    expect(freed).toBeDefined();
    const both = await Promise.all([chat(url, KEYS.conc), chat(url, KEYS.conc)]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
  });

  it("releases the slot when a stream is cut short by the client", async () => {
    gw.upstream.behave({ chunkDelayMs: 100 }, { model: "drip-model" });
    for (let round = 0; round < 3; round++) {
      const ac = new AbortController();
      const streams = await Promise.all([0, 1].map(() => chat(url, KEYS.conc, { model: "drip", stream: true, messages: [{ role: "user", content: "one two three four five six seven eight" }] }, { signal: ac.signal })));
      expect(streams.map((r) => r.status)).toEqual([200, 200]);
      const reader = streams[0]!.body!.getReader();
      await reader.read();
      ac.abort();
      // Both slots come back, so the next round admits two streams again.
      expect(await within(5_000, async () => {
        const r = await chat(url, KEYS.conc);
        await r.text();
        return r.status === 200;
      })).toBeDefined();
    }
    gw.upstream.reset();
  });
});

describe("tokens per minute", () => {
  it("reserves the prompt estimate plus max_tokens, then corrects to the real usage", async () => {
    // Each reserves about 400 + a few prompt tokens, of 1000: two fit, a third does not while both are held.
    const reserve = { max_tokens: 400 };
    const a = await chat(url, KEYS.tpm, reserve);
    expect(a.status).toBe(200);
    const usageA = ((await a.json()) as { usage: { total_tokens: number } }).usage.total_tokens;
    // The reservation was corrected to the few tokens really used, so there is room for two more.
    const b = await chat(url, KEYS.tpm, reserve);
    expect(b.status).toBe(200);
    expect(b.headers.get("x-ratelimit-limit-tokens")).toBe("1000");
    const remainingAfterB = Number(b.headers.get("x-ratelimit-remaining-tokens"));
    expect(remainingAfterB).toBeLessThan(1000 - usageA - 400);
    expect(remainingAfterB).toBeGreaterThan(1000 - usageA - 450);
    await b.text();
    const c = await chat(url, KEYS.tpm, reserve);
    expect(c.status).toBe(200);
    await c.text();
    const d = await chat(url, KEYS.tpm, { max_tokens: 990 });
    expect(d.status).toBe(429);
    const err = (await d.json()) as { error: { message: string } };
    expect(err.error.message).toContain("1000 tokens per minute");
    expect(d.headers.get("x-ratelimit-reset-tokens")).toMatch(/s$/);
  });
});

describe("tenant_id", () => {
  it("is a label inside the caller's own tenant when it names no tenant", async () => {
    const r = await chat(url, KEYS.alpha, { tenant_id: "team-search" });
    expect(r.status).toBe(200);
    await r.text();
  });

  it("may name the caller's own tenant", async () => {
    const r = await chat(url, KEYS.alpha, { tenant_id: "alpha" });
    expect(r.status).toBe(200);
    await r.text();
  });

  it("is only a label when it names another tenant the key may not act for (no tenant-existence oracle)", async () => {
    const r = await chat(url, KEYS.alpha, { tenant_id: "rpm" });
    expect(r.status).toBe(200);
    await r.text();
  });
});
