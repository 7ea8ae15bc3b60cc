// Reliability, part 1 (continued): clients that hang up at random points, streams and JSON, before
// and after the first byte. The upstream request must be aborted at once (tokens cost money), the
// tenant's concurrency slot freed, and what was streamed accounted in the usage ledger.
import http from "node:http";
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load";
import { startGateway, type RunningGateway } from "../../src/server";
import { createLogger } from "../../src/telemetry/logger";
import { LogCapture, tempSqlitePath } from "../harness";
import { within } from "../limits-harness";
import { parseMetrics, sum } from "../metrics-text";
import { SectionRecorder } from "./results";

const KEY = "sk-rel-disconnect-tenant-0123456789";
const SLOTS = 3;
const SEED = 20_260_509;
const ROUNDS = 8; // of SLOTS concurrent clients each

const yaml = (url: string) => `
server: { host: 127.0.0.1, port: 0, shutdown_grace_ms: 1000 }
state: { sqlite_path: ${tempSqlitePath()} }
providers:
  primary:
    type: openai
    base_url: "${url}/v1"
    api_key: sk-rel-disconnect-upstream-abcdef
    timeouts: { connect_ms: 1000, first_byte_ms: 10000, idle_ms: 10000, total_ms: 30000 }
models:
  drip: { pricing: { input_per_1m: 1, output_per_1m: 2 }, deployments: [{ provider: primary, model: "drip::chunkDelayMs=25,chunks=60" }] }
  late: { deployments: [{ provider: primary, model: "late::latencyMs=1500" }] }
tenants:
  - { id: tenant-disc, keys: [${KEY}], limits: { max_concurrent: ${SLOTS} } }
`;

const rec = new SectionRecorder("faults", "b-disconnects");
let upstream: MockUpstream;
let gateway: RunningGateway;

beforeAll(async () => {
  upstream = await startMockUpstream();
  const { config } = parseConfig(yaml(upstream.url), {});
  gateway = await startGateway({ config, logger: createLogger("warn", new LogCapture()), validateResponses: true });
});

afterAll(async () => {
  rec.write();
  await gateway?.close();
  await upstream?.close();
});

/** mulberry32: the same "random" points on every run, so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Plan = { kind: "stream-after-events"; events: number } | { kind: "stream-before-first-byte"; afterMs: number } | { kind: "json-before-answer"; afterMs: number };

interface Outcome {
  plan: Plan;
  marker: string;
  status?: number;
  /** The error body of an answer that was not a 200. */
  error?: string;
  hungUpAt: number;
}

const prompt = (marker: string) => `${marker} ${Array.from({ length: 80 }, (_, i) => `word${i}`).join(" ")}`;

/** Sends one request and hangs up at the planned point; resolves with the moment it hung up (Date.now, the mock's clock). */
function hangUp(plan: Plan, marker: string): Promise<Outcome> {
  const stream = plan.kind !== "json-before-answer";
  const body = JSON.stringify({ model: plan.kind === "stream-after-events" ? "drip" : "late", stream, messages: [{ role: "user", content: prompt(marker) }] });
  return new Promise((resolve, reject) => {
    const out: Outcome = { plan, marker, hungUpAt: 0 };
    const req = http.request(`${gateway.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${KEY}`, "x-runestone-overflow": "reject" } });
    const leave = () => {
      out.hungUpAt = Date.now();
      req.destroy();
      resolve(out);
    };
    req.on("error", () => undefined);
    req.on("response", (res) => {
      out.status = res.statusCode;
      if (res.statusCode !== 200) {
        out.error = "";
        res.on("data", (b: Buffer) => (out.error += b.toString()));
        res.on("end", () => resolve(out));
        return;
      }
      let events = 0;
      res.on("data", (b: Buffer) => {
        events += b.toString().split("data: ").length - 1;
        if (plan.kind === "stream-after-events" && events >= plan.events && out.hungUpAt === 0) leave();
      });
      res.on("error", () => undefined);
      res.on("end", () => out.hungUpAt === 0 && reject(new Error(`${marker}: the stream ended before the planned hang-up`)));
    });
    req.end(body);
    if (plan.kind !== "stream-after-events") {
      // Hang up only once the upstream has the request, so there is an upstream call to abort.
      upstream
        .waitFor((rs) => rs.some((r) => r.rawBody.includes(marker)), 5_000)
        .then(() => setTimeout(leave, plan.afterMs), reject);
    }
  });
}

describe("clients disconnecting at random points", () => {
  it("aborts the upstream at once, frees the tenant's slots and accounts what was streamed", async () => {
    const row = rec.start(
      `clients disconnecting at random points (${ROUNDS * SLOTS} clients, seed ${SEED})`,
      "each upstream request aborted within 100 ms (median; every one within 2 s on a loaded machine); no 429 for the next clients (slots freed); active requests back to 0; usage recorded for every hang-up (the upstream had the prompt) and every request after",
    );
    const random = prng(SEED);
    const outcomes: Outcome[] = [];
    let n = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const batch = Array.from({ length: SLOTS }, (): Promise<Outcome> => {
        const r = random();
        const plan: Plan =
          r < 0.5 ? { kind: "stream-after-events", events: 1 + Math.floor(random() * 40) } : r < 0.75 ? { kind: "stream-before-first-byte", afterMs: Math.floor(random() * 600) } : { kind: "json-before-answer", afterMs: Math.floor(random() * 600) };
        return hangUp(plan, `disc-marker-${++n}-x`);
      });
      const done = await Promise.all(batch);
      expect(done.filter((o) => o.status !== undefined && o.status !== 200), "every client got its answer started, or hung up before").toEqual([]);
      // Every hang-up of the batch reached the upstream before the next batch starts.
      await upstream.waitFor((rs) => done.every((o) => rs.find((r) => r.rawBody.includes(o.marker))?.clientClosedAt !== undefined), 5_000);
      outcomes.push(...done);
    }
    const delays = outcomes.map((o) => upstream.requests.find((r) => r.rawBody.includes(o.marker))!.clientClosedAt! - o.hungUpAt).sort((a, b) => a - b);
    for (const o of outcomes) expect(upstream.requests.find((r) => r.rawBody.includes(o.marker))!.completed).toBe(false);
    const median = delays[Math.floor(delays.length / 2)]!;
    const max = delays.at(-1)!;
    expect(median).toBeLessThanOrEqual(100);
    // The worst single one measures the machine as much as the gateway: the full suite on 2 cores stalled
    // this process's event loop past 1 s once (1,021 ms) while the median stayed within bound.
    expect(max).toBeLessThan(2_000);

    const active = async () => sum(parseMetrics(await (await fetch(`${gateway.url}/metrics`)).text()), "runestone_active_requests");
    expect(await within(3_000, async () => (await active()) === 1)).toBeDefined(); // the scrape itself

    // All slots free: SLOTS concurrent requests that refuse to queue all get in.
    const after = await Promise.all(
      Array.from({ length: SLOTS }, (_, i) =>
        fetch(`${gateway.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${KEY}`, "x-runestone-overflow": "reject" },
          body: JSON.stringify({ model: "drip", messages: [{ role: "user", content: `after ${i}` }] }),
        }).then(async (r) => (await r.text(), r.status)),
      ),
    );
    expect(after).toEqual(Array(SLOTS).fill(200));

    const streamedContent = outcomes.filter((o) => o.plan.kind === "stream-after-events").length;
    // Every hang-up happened once the upstream had the request: each is accounted, with at least its prompt.
    const expected = outcomes.length + SLOTS;
    let usage = { requests: 0, prompt_tokens: 0, completion_tokens: 0 };
    const accounted = await within(3_000, async () => {
      const res = await fetch(`${gateway.url}/v1/usage?group_by=none`, { headers: { authorization: `Bearer ${KEY}` } });
      usage = ((await res.json()) as { data: Array<typeof usage> }).data[0] ?? usage;
      return usage.requests === expected;
    });
    expect(accounted, `usage shows ${usage.requests} requests, expected ${expected}`).toBeDefined();
    expect(usage.prompt_tokens).toBeGreaterThanOrEqual(expected);
    expect(usage.completion_tokens).toBeGreaterThan(0);

    const kinds = (k: Plan["kind"]) => outcomes.filter((o) => o.plan.kind === k).length;
    rec.figures["disconnects: upstream aborted after hang-up, median / max (ms)"] = `${median} / ${max}`;
    row.pass(
      `${outcomes.length} hang-ups (${kinds("stream-after-events")} mid-stream, ${kinds("stream-before-first-byte")} stream before first byte, ${kinds("json-before-answer")} JSON before answer): upstream aborted after median ${median} ms, max ${max} ms; 0 x 429; active requests back to 0; ledger: ${usage.requests} requests (${outcomes.length} hang-ups, ${streamedContent} of them mid-stream, + ${SLOTS} after), ${usage.completion_tokens} completion tokens`,
    );
  });
});
