// Reliability, part 1 (continued): a provider that flaps, failing and recovering in turns, under steady
// traffic, for a minute (fifteen 4 s cycles). Every request must still succeed (fallback), the breaker
// must open, half-open and close again in each cycle, and while it is open the failing provider must be
// spared.
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load";
import { startGateway, type RunningGateway } from "../../src/server";
import type { GatewayEvents } from "../../src/core/gateway-events";
import { createLogger } from "../../src/telemetry/logger";
import { LogCapture, tempSqlitePath } from "../harness";
import { SectionRecorder } from "./results";

const KEY = "sk-rel-flap-tenant-0123456789";
const FLAP_MS = 60_000;
const HALF_PERIOD_MS = 2_000;
const OPEN_MS = 500;

const yaml = (url: string) => `
server: { host: 127.0.0.1, port: 0, shutdown_grace_ms: 1000 }
state: { sqlite_path: ${tempSqlitePath()} }
resilience:
  retries: { max_retries: 1, backoff_base_ms: 10, backoff_max_ms: 50 }
  breaker: { consecutive_failures: 3, minimum_requests: 1000, window_ms: 10000, open_ms: ${OPEN_MS} }
providers:
  primary: { type: openai, base_url: "${url}/v1", api_key: sk-rel-flap-primary-abcdef }
  backup: { type: openai-compatible, base_url: "${url}/v1", api_key: sk-rel-flap-backup-abcdef }
models:
  flap: { deployments: [{ provider: primary, model: flap-p }, { provider: backup, model: flap-b }] }
tenants:
  - { id: tenant-flap, keys: [${KEY}] }
`;

interface Attempt {
  at: number;
  ok: boolean;
  upstreamModel: string;
}

const rec = new SectionRecorder("faults", "c-flapping");
const attempts: Attempt[] = [];
const transitions: Array<{ at: number; state: string }> = [];
let upstream: MockUpstream;
let gateway: RunningGateway;

beforeAll(async () => {
  upstream = await startMockUpstream({ record: false });
  const { config } = parseConfig(yaml(upstream.url), {});
  const events: GatewayEvents = {
    upstreamAttempt: (e) => attempts.push({ at: performance.now(), ok: e.ok, upstreamModel: e.upstreamModel }),
    breakerStateChanged: (e) => e.model === "flap-p" && transitions.push({ at: performance.now(), state: e.state }),
  };
  gateway = await startGateway({ config, logger: createLogger("warn", new LogCapture()), validateResponses: true, events });
});

afterAll(async () => {
  rec.write();
  await gateway?.close();
  await upstream?.close();
});

describe("a provider flapping for a minute", () => {
  it("keeps every request succeeding through fallback while the breaker opens, half-opens and closes in each cycle", async () => {
    const row = rec.start(
      `provider flapping for ${FLAP_MS / 1000} s (down ${HALF_PERIOD_MS / 1000} s, up ${HALF_PERIOD_MS / 1000} s)`,
      "every request 200 (backup while primary is down); breaker open -> half_open -> closed in every cycle; while down the primary gets only the failures that open the breaker and its half-open probes; closed at the end",
    );
    const t0 = performance.now();
    const downPhases: Array<[number, number]> = [];
    let down = false;
    const flip = () => {
      down = !down;
      upstream.reset();
      if (down) {
        upstream.behave({ status: 500 }, { model: "flap-p" });
        downPhases.push([performance.now(), Infinity]);
      } else downPhases.at(-1)![1] = performance.now();
    };
    flip();
    const flipper = setInterval(flip, HALF_PERIOD_MS);

    const statuses = new Map<number, number>();
    let sent = 0;
    const client = async (stream: boolean) => {
      while (performance.now() - t0 < FLAP_MS) {
        const res = await fetch(`${gateway.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
          body: JSON.stringify({ model: "flap", stream, messages: [{ role: "user", content: "are you up" }] }),
        });
        const text = await res.text();
        const ok = res.status === 200 && (!stream || text.trimEnd().endsWith("data: [DONE]"));
        statuses.set(ok ? 200 : res.status, (statuses.get(ok ? 200 : res.status) ?? 0) + 1);
        sent++;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await Promise.all([client(false), client(true), client(false)]);
    clearInterval(flipper);
    if (down) flip();

    // After the last recovery the next request is a probe (or the breaker already closed).
    await new Promise((r) => setTimeout(r, OPEN_MS + 50));
    const last = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: "flap", messages: [{ role: "user", content: "still up" }] }),
    });
    expect(last.status).toBe(200);
    expect(last.headers.get("x-runestone-provider")).toBe("primary");

    expect([...statuses.keys()]).toEqual([200]);
    const states = transitions.map((t) => t.state);
    const closes = states.filter((s) => s === "closed").length;
    const opens = states.filter((s) => s === "open").length;
    const halfOpens = states.filter((s) => s === "half_open").length;
    const cycles = Math.floor(FLAP_MS / (2 * HALF_PERIOD_MS));
    expect(closes).toBeGreaterThanOrEqual(cycles - 1);
    expect(opens).toBeGreaterThanOrEqual(cycles);
    expect(halfOpens).toBeGreaterThanOrEqual(closes);
    // Every closing came through half-open.
    states.forEach((s, i) => s === "closed" && expect(states[i - 1]).toBe("half_open"));
    expect(states.at(-1)).toBe("closed");

    const inDown = (at: number) => downPhases.some(([a, b]) => at >= a && at < b);
    const primaryDown = attempts.filter((a) => a.upstreamModel === "flap-p" && inDown(a.at));
    const requestsDown = attempts.filter((a) => a.upstreamModel === "flap-b" && inDown(a.at)).length;
    // Per down phase: the failures that open the breaker, then one probe per cooldown (or so).
    const budget = downPhases.length * (3 + Math.ceil(HALF_PERIOD_MS / OPEN_MS) + 1);
    expect(primaryDown.length).toBeLessThanOrEqual(budget);
    expect(primaryDown.length).toBeLessThan(requestsDown);

    rec.figures["flapping: requests / succeeded"] = `${sent} / ${statuses.get(200)}`;
    row.pass(
      `${sent} requests over ${downPhases.length} down phases, all 200; breaker ${opens} x open, ${halfOpens} x half_open, ${closes} x closed, closed at the end; while down the primary got ${primaryDown.length} calls (budget ${budget}) against ${requestsDown} served by the backup`,
    );
  }, 120_000);
});
