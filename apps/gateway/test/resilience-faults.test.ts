// Each fault of the mock upstream, and what the client sees: retries, fallbacks, breakers, timeouts.
// Every scenario uses its own models (and so its own breakers), so that the scenarios stay independent.
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load";
import { startGateway, type RunningGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";
import { errorOf, fallbackPair, LogCapture, postJson, readSse, upstreamRequestsFor, tempSqlitePath } from "./harness";
import { freePort } from "./redis-server";
import { recordResilienceEvents } from "./resilience-events";

const TIMEOUTS = "timeouts: { connect_ms: 1000, first_byte_ms: 600, idle_ms: 600, total_ms: 8000 }";

function configYaml(url: string, deadPort: number): string {
  return `
server: { host: 127.0.0.1, port: 0, request_timeout_ms: 15000 }
state: { sqlite_path: ${tempSqlitePath()} }
resilience:
  retries: { max_retries: 2, backoff_base_ms: 20, backoff_max_ms: 200, max_retry_after_ms: 1500 }
  breaker: { consecutive_failures: 3, minimum_requests: 50, failure_rate: 0.9, window_ms: 10000, open_ms: 700 }
providers:
  primary: { type: openai, base_url: "${url}/v1", api_key: sk-primary-upstream, ${TIMEOUTS} }
  backup: { type: openai-compatible, base_url: "${url}/v1", api_key: sk-backup-upstream, ${TIMEOUTS} }
  claude: { type: anthropic, base_url: "${url}", api_key: sk-claude-upstream, ${TIMEOUTS} }
  dead: { type: openai, base_url: "http://127.0.0.1:${deadPort}/v1", api_key: sk-dead-upstream, ${TIMEOUTS} }
models:
  ra-solo: { deployments: [{ provider: primary, model: ra-solo }] }
  ra-cap-solo: { deployments: [{ provider: primary, model: ra-cap-solo }] }
  ra-long: { deployments: ${fallbackPair("ra-long")} }
  burst-solo: { deployments: [{ provider: primary, model: burst-solo }] }
  burst-duo: { deployments: ${fallbackPair("burst-duo")} }
  over-solo: { deployments: [{ provider: primary, model: over-solo }] }
  over-claude: { deployments: ${fallbackPair("over-claude", "claude")} }
  refused: { deployments: ${fallbackPair("refused", "dead")} }
  stall-first: { deployments: ${fallbackPair("stall-first")} }
  stall-mid: { deployments: ${fallbackPair("stall-mid")} }
  cut: { deployments: ${fallbackPair("cut")} }
  malformed: { deployments: ${fallbackPair("malformed")} }
  bad-request: { deployments: ${fallbackPair("bad-request")} }
  recovers: { deployments: [{ provider: primary, model: recovers }] }
  down: { deployments: [{ provider: dead, model: down-d }, { provider: primary, model: down-p }] }
tenants:
  - { id: tenant-a, keys: [sk-test-tenant-a-0123456789] }
`;
}

let upstream: MockUpstream;
let gateway: RunningGateway;
const seen = recordResilienceEvents();

beforeAll(async () => {
  upstream = await startMockUpstream();
  const { config } = parseConfig(configYaml(upstream.url, await freePort()), {});
  gateway = await startGateway({ config, logger: createLogger("silent", new LogCapture()), validateResponses: true, events: seen.events });
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

const chat = () => `${gateway.url}/v1/chat/completions`;
const ask = (model: string, extra: Record<string, unknown> = {}) => postJson(chat(), { model, messages: [{ role: "user", content: "hello there" }], ...extra });
const sentTo = (upstreamModel: string) => upstreamRequestsFor(upstream, upstreamModel);
const { breakerStates } = seen;
const health = async () => (await (await fetch(`${gateway.url}/health`)).json()) as { status: string; components: { providers: { status: string; details: Record<string, any> } } };

describe("429 with Retry-After", () => {
  it("waits as long as the upstream asks, then retries the same deployment and answers", async () => {
    upstream.behave({ status: 429, retryAfter: 1 }, { times: 1, model: "ra-solo" });
    const res = await ask("ra-solo");
    expect(res.status).toBe(200);
    const [first, second] = sentTo("ra-solo");
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(990);
    expect(seen.retries.find((r) => r.model === "ra-solo")?.delayMs).toBeGreaterThanOrEqual(1000);
    // The 429 opened the deployment's breaker for exactly that second; the retry was its probe.
    expect(breakerStates("ra-solo")).toEqual(["open", "half_open", "closed"]);
  });

  it("honours retry-after-ms as well", async () => {
    upstream.behave({ status: 429, retryAfterMs: 300 }, { times: 1, model: "ra-solo" });
    const before = sentTo("ra-solo").length;
    const res = await ask("ra-solo");
    expect(res.status).toBe(200);
    const [first, second] = sentTo("ra-solo").slice(before);
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(290);
  });

  it("falls back at once when the Retry-After is longer than the cap, and skips that deployment meanwhile", async () => {
    upstream.behave({ status: 429, retryAfter: 30 }, { times: 1, model: "ra-long-p" });
    const res = await ask("ra-long");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-provider")).toBe("backup");
    expect(res.headers.get("x-runestone-fallbacks")).toBe("1");
    expect(seen.retries.filter((r) => r.model === "ra-long")).toHaveLength(0);
    const again = await ask("ra-long");
    expect(again.headers.get("x-runestone-provider")).toBe("backup");
    expect(sentTo("ra-long-p")).toHaveLength(1);
    const h = await health();
    expect(h.components.providers.status).toBe("degraded");
    expect(h.components.providers.details.primary.breakers["ra-long-p"]).toMatchObject({ state: "open" });
    expect(h.components.providers.details.primary.breakers["ra-long-p"].retry_in_ms).toBeGreaterThan(20_000);
  });

  it("passes a long Retry-After on to the client when there is nowhere else to go", async () => {
    upstream.behave({ status: 429, retryAfter: 30 }, { times: 1, model: "ra-cap-solo" });
    const res = await ask("ra-cap-solo");
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("30");
    expect((await errorOf(res)).type).toBe("rate_limit_error");
    expect(sentTo("ra-cap-solo")).toHaveLength(1);
  });
});

describe("a burst of 500s", () => {
  it("retries the only deployment with backoff until it answers", async () => {
    upstream.behave({ status: 500 }, { times: 2, model: "burst-solo" });
    const res = await ask("burst-solo");
    expect(res.status).toBe(200);
    expect(sentTo("burst-solo")).toHaveLength(3);
    expect(seen.retries.filter((r) => r.model === "burst-solo").map((r) => r.attempt)).toEqual([1, 2]);
    expect(breakerStates("burst-solo")).toEqual([]);
  });

  it("falls back to the backup at once, and opens the primary's breaker after consecutive failures", async () => {
    upstream.behave({ status: 500 }, { times: 100, model: "burst-duo-p" });
    for (let i = 0; i < 3; i++) {
      const res = await ask("burst-duo");
      expect(res.status).toBe(200);
      expect(res.headers.get("x-runestone-provider")).toBe("backup");
      expect(res.headers.get("x-runestone-fallbacks")).toBe("1");
    }
    expect(breakerStates("burst-duo-p")).toEqual(["open"]);
    expect(sentTo("burst-duo-p")).toHaveLength(3);
    const res = await ask("burst-duo");
    expect(res.headers.get("x-runestone-provider")).toBe("backup");
    expect(sentTo("burst-duo-p")).toHaveLength(3); // skipped while open
    expect(seen.fallbacks.filter((f) => f.model === "burst-duo").at(-1)).toMatchObject({ fromProvider: "primary", toProvider: "backup", reason: "breaker_open" });
  });
});

describe("503 overloaded", () => {
  it("answers 503 overloaded_error when the only deployment stays overloaded through every retry", async () => {
    upstream.behave({ status: 503 }, { times: 3, model: "over-solo" });
    const res = await ask("over-solo");
    expect(res.status).toBe(503);
    expect((await errorOf(res)).type).toBe("overloaded_error");
    expect(sentTo("over-solo")).toHaveLength(3);
  });

  it("falls back from an overloaded Anthropic deployment (529) to the next candidate", async () => {
    upstream.behave({ status: 529 }, { times: 1, model: "over-claude-p" });
    const res = await ask("over-claude");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-provider")).toBe("backup");
    expect(seen.fallbacks.find((f) => f.model === "over-claude")).toMatchObject({ fromProvider: "claude", toProvider: "backup", reason: "http_503" }); // the adapter maps 529 to 503 overloaded
  });
});

describe("connection refused", () => {
  it("falls back to the next candidate when nothing listens at the first", async () => {
    const res = await ask("refused");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-provider")).toBe("backup");
    expect(seen.fallbacks.find((f) => f.model === "refused")).toMatchObject({ fromProvider: "dead", reason: "connection" });
    expect(seen.attempts.find((a) => a.upstreamModel === "refused-p")).toMatchObject({ ok: false, errorKind: "connection" });
  });
});

describe("stalls", () => {
  it("falls back when the first deployment sends no headers within the first-byte timeout, and aborts it", async () => {
    upstream.behave({ stall: "before-headers" }, { times: 1, model: "stall-first-p" });
    const res = await ask("stall-first");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-provider")).toBe("backup");
    await upstream.waitFor(() => sentTo("stall-first-p")[0]?.clientClosedAt !== undefined);
    expect(seen.attempts.find((a) => a.upstreamModel === "stall-first-p")).toMatchObject({ ok: false, errorKind: "timeout" });
  });

  it("falls back a stream that stalls before its first byte, so the client sees only the backup's stream", async () => {
    upstream.behave({ stall: "before-headers" }, { times: 1, model: "stall-first-p" });
    const res = await ask("stall-first", { stream: true });
    expect(res.headers.get("x-runestone-provider")).toBe("backup");
    const events = await readSse(res);
    expect(events.at(-1)).toBe("[DONE]");
    expect(JSON.parse(events[0]!)).toMatchObject({ provider: "backup", routing_policy: "default" });
  });

  it("ends a stream that stalls after its first content with an error event and no [DONE], and aborts the upstream", async () => {
    upstream.behave({ stall: "mid-stream" }, { times: 1, model: "stall-mid-p" });
    const res = await ask("stall-mid", { stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-provider")).toBe("primary");
    const events = await readSse(res);
    expect(events).not.toContain("[DONE]");
    expect(JSON.parse(events.at(-1)!).error).toMatchObject({ type: "service_error", code: "upstream_timeout" });
    expect(events.filter((e) => JSON.parse(e).choices).length).toBeGreaterThanOrEqual(2); // role + first content
    await upstream.waitFor(() => sentTo("stall-mid-p")[0]?.clientClosedAt !== undefined);
    expect(sentTo("stall-mid-b")).toHaveLength(0); // no fallback after the first byte
  });
});

describe("broken streams", () => {
  it("reports a stream cut without its final event as an error event, never as success", async () => {
    upstream.behave({ cutAfter: 2 }, { times: 1, model: "cut-p" });
    const events = await readSse(await ask("cut", { stream: true }));
    expect(events).not.toContain("[DONE]");
    expect(JSON.parse(events.at(-1)!).error.type).toBe("service_error");
    expect(sentTo("cut-b")).toHaveLength(0);
  });

  it("falls back when a non-streamed body is cut halfway", async () => {
    upstream.behave({ cutAfter: 1 }, { times: 1, model: "cut-p" });
    const res = await ask("cut");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-runestone-provider")).toBe("backup");
  });

  it("falls back when the very first chunk is malformed, before anything reached the client", async () => {
    upstream.behave({ malformedAt: 1 }, { times: 1, model: "malformed-p" });
    const res = await ask("malformed", { stream: true });
    expect(res.headers.get("x-runestone-provider")).toBe("backup");
    const events = await readSse(res);
    expect(events.at(-1)).toBe("[DONE]");
    expect(seen.attempts.find((a) => a.upstreamModel === "malformed-p")).toMatchObject({ ok: false, errorKind: "protocol" });
  });

  it("ends the stream with an upstream_protocol_error event when a later chunk is malformed", async () => {
    upstream.behave({ malformedAt: 3 }, { times: 1, model: "malformed-p" });
    const res = await ask("malformed", { stream: true });
    expect(res.headers.get("x-runestone-provider")).toBe("primary");
    const events = await readSse(res);
    expect(events).not.toContain("[DONE]");
    expect(JSON.parse(events.at(-1)!).error).toMatchObject({ code: "upstream_protocol_error" });
  });
});

describe("upstream 400", () => {
  it("stops at once: no retry, no fallback, the breaker untouched", async () => {
    upstream.behave({ status: 400, errorMessage: "bad parameter" }, { times: 1, model: "bad-request-p" });
    const res = await ask("bad-request");
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toContain("bad parameter");
    expect(res.headers.get("x-runestone-routing-policy")).toBe("default");
    expect(sentTo("bad-request-p")).toHaveLength(1);
    expect(sentTo("bad-request-b")).toHaveLength(0);
    expect(seen.retries.filter((r) => r.model === "bad-request")).toHaveLength(0);
    expect(breakerStates("bad-request-p")).toEqual([]);
  });
});

describe("a provider that recovers", () => {
  it("opens the breaker, fails fast while open, lets a probe through (half-open) and closes on its success", async () => {
    upstream.behave({ status: 500 }, { times: 3, model: "recovers" });
    const failed = await ask("recovers");
    expect(failed.status).toBe(502);
    expect(breakerStates("recovers")).toEqual(["open"]);
    let h = await health();
    expect(h.components.providers.status).toBe("degraded");
    expect(h.components.providers.details.primary.breakers.recovers).toMatchObject({ state: "open", consecutive_failures: 3 });

    const fast = await ask("recovers");
    expect(fast.status).toBe(503);
    expect(Number(fast.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await errorOf(fast)).toMatchObject({ type: "overloaded_error", code: "provider_unavailable" });
    expect(sentTo("recovers")).toHaveLength(3);

    await new Promise((r) => setTimeout(r, 750)); // the 700 ms cooldown
    h = await health();
    expect(h.components.providers.details.primary.breakers.recovers.state).toBe("half_open");
    const probe = await ask("recovers");
    expect(probe.status).toBe(200);
    expect(breakerStates("recovers")).toEqual(["open", "half_open", "closed"]);
    h = await health();
    expect(h.components.providers.details.primary.breakers.recovers.state).toBe("closed");
  });
});

describe("every deployment down", () => {
  it("reports the last failure, then fails fast with 503 and Retry-After without calling anyone", async () => {
    upstream.behave({ status: 500 }, { times: 3, model: "down-p" });
    const first = await ask("down");
    expect(first.status).toBe(502);
    expect(breakerStates("down-d")).toEqual(["open"]);
    expect(breakerStates("down-p")).toEqual(["open"]);
    const before = upstream.requests.length;
    for (const stream of [false, true]) {
      const res = await ask("down", { stream });
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("1");
      expect(res.headers.get("x-request-id")).toBeTruthy();
      expect((await errorOf(res)).code).toBe("provider_unavailable");
    }
    expect(upstream.requests.length).toBe(before);
  });
});
