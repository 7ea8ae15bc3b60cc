// A request never sleeps through a circuit breaker's cooldown: when a breaker opens while the request
// is in flight, or an upstream asks for a wait the request cannot afford, the client is answered at
// once (the last failure, or 503 with Retry-After) instead of being held for the whole open period.
// The breaker cooldown here is the default 15 s, so a regression shows as a 15 s answer.
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/config/load";
import { startGateway, type RunningGateway } from "../src/server";
import { createLogger } from "../src/telemetry/logger";
import { errorOf, LogCapture, postJson, upstreamRequestsFor, tempSqlitePath } from "./harness";

function configYaml(url: string, requestTimeoutMs: number): string {
  return `
server: { host: 127.0.0.1, port: 0, request_timeout_ms: ${requestTimeoutMs} }
state: { sqlite_path: ${tempSqlitePath()} }
resilience:
  retries: { max_retries: 3, backoff_base_ms: 20, backoff_max_ms: 100, max_retry_after_ms: 8000 }
  breaker: { consecutive_failures: 3, minimum_requests: 50, failure_rate: 0.9, window_ms: 30000, open_ms: 15000 }
providers:
  primary: { type: openai, base_url: "${url}/v1", api_key: sk-primary-upstream }
models:
  failing: { deployments: [{ provider: primary, model: failing }] }
  throttled: { deployments: [{ provider: primary, model: throttled }] }
  long-wait: { deployments: [{ provider: primary, model: long-wait }] }
  healthy: { deployments: [{ provider: primary, model: healthy }] }
tenants:
  - { id: tenant-a, keys: [sk-test-tenant-a-0123456789] }
`;
}

let upstream: MockUpstream;
// A generous budget (the waits a regression would take fit in it) and a tight one.
let roomy: RunningGateway;
let tight: RunningGateway;

beforeAll(async () => {
  upstream = await startMockUpstream();
  const start = (ms: number) => startGateway({ config: parseConfig(configYaml(upstream.url, ms), {}).config, logger: createLogger("silent", new LogCapture()), validateResponses: true });
  [roomy, tight] = await Promise.all([start(60_000), start(3_000)]);
  // One answered request each first: the 1 s bounds below time the breaker and Retry-After cases, not a
  // fresh gateway's first request (under a loaded CI machine that alone took up to ~0.5 s).
  for (const gateway of [roomy, tight]) expect((await timedAsk("healthy", gateway)).res.status).toBe(200);
});
afterAll(async () => {
  await Promise.all([roomy.close(), tight.close()]);
  await upstream.close();
});

async function timedAsk(model: string, gateway = roomy): Promise<{ res: Response; ms: number }> {
  const t0 = performance.now();
  const res = await postJson(`${gateway.url}/v1/chat/completions`, { model, messages: [{ role: "user", content: "hello" }] });
  await res.clone().arrayBuffer();
  return { res, ms: performance.now() - t0 };
}

describe("a breaker that opens during a request", () => {
  it("answers the failure at once instead of waiting out the 15 s cooldown, and the next request fails fast with 503", async () => {
    upstream.behave({ status: 500 }, { model: "failing" });
    // Three failures trip the breaker mid-request; a fourth round would need the breaker closed.
    const first = await timedAsk("failing");
    expect(first.res.status).toBe(502);
    expect(first.ms).toBeLessThan(1000);
    expect(upstreamRequestsFor(upstream, "failing")).toHaveLength(3);

    const second = await timedAsk("failing");
    expect(second.ms).toBeLessThan(1000);
    expect(second.res.status).toBe(503);
    expect(Number(second.res.headers.get("retry-after"))).toBeGreaterThanOrEqual(14);
    expect((await errorOf(second.res)).code).toBe("provider_unavailable");
    // While open, the deployment is not called at all.
    expect(upstreamRequestsFor(upstream, "failing")).toHaveLength(3);
  });

  it("answers an upstream 429 whose failure tripped the breaker within a second, with its Retry-After", async () => {
    upstream.behave({ status: 500 }, { model: "throttled", times: 2 });
    upstream.behave({ status: 429, retryAfter: 1 }, { model: "throttled", times: 1 });
    const { res, ms } = await timedAsk("throttled");
    expect(ms).toBeLessThan(1000);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(upstreamRequestsFor(upstream, "throttled")).toHaveLength(3);
  });
});

describe("a Retry-After longer than the request's remaining budget", () => {
  it("is answered with the upstream's 429 and Retry-After, not slept", async () => {
    upstream.behave({ status: 429, retryAfter: 5 }, { model: "long-wait", times: 1 });
    const { res, ms } = await timedAsk("long-wait", tight);
    expect(ms).toBeLessThan(1000);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(upstreamRequestsFor(upstream, "long-wait")).toHaveLength(1);
  });
});
