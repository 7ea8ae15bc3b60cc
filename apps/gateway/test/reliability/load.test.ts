// Reliability, part 4: sustained mixed load for a bounded time against the built gateway in its own
// process: several tenants, streamed and JSON answers, one provider that always fails (its model falls
// back), a tenant with a requests-per-minute limit and one with a concurrency limit. Every unlimited
// request must succeed, the limits must hold exactly as the upstream saw them, and the gateway's
// memory must not grow beyond a bound.
import { startMockUpstream, type MockUpstream } from "@runestone/mock-upstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempSqlitePath } from "../harness";
import { freePort } from "../redis-server";
import { sampler, spawnGateway, writeConfig, type ProcessGateway } from "./process-gateway";
import { SectionRecorder } from "./results";

const DURATION_MS = Number(process.env.RUNESTONE_LOAD_MS ?? 30_000);
const RPM = 60;
const CONCURRENCY = 3;
/** Generous: V8 grows its heap lazily under load, more so when other test files share the two cores. */
const RSS_GROWTH_BOUND_MB = 96;
const KEYS = { a: "sk-rel-load-a-0123456789", b: "sk-rel-load-b-0123456789", c: "sk-rel-load-c-0123456789", rpm: "sk-rel-load-rpm-0123456789", conc: "sk-rel-load-conc-0123456789" };

const yaml = (url: string, port: number) => `
server: { host: 127.0.0.1, port: ${port}, shutdown_grace_ms: 2000 }
state: { sqlite_path: ${tempSqlitePath()} }
logging: { level: warn }
resilience:
  retries: { max_retries: 1, backoff_base_ms: 10, backoff_max_ms: 50 }
  breaker: { consecutive_failures: 3, minimum_requests: 1000, open_ms: 2000 }
providers:
  openai: { type: openai, base_url: "${url}/v1", api_key: sk-rel-load-upstream-abcdef }
  backup: { type: openai-compatible, base_url: "${url}/v1", api_key: sk-rel-load-backup-abcdef }
  failing: { type: openai, base_url: "${url}/v1", api_key: sk-rel-load-failing-abcdef }
models:
  gpt-4o-mini: { deployments: [{ provider: openai, model: gpt-4o-mini }] }
  resilient: { deployments: [{ provider: failing, model: "down::status=500" }, { provider: backup, model: resilient-b }] }
  slowish: { deployments: [{ provider: openai, model: "slowish::latencyMs=150" }] }
tenants:
  - { id: load-a, keys: [${KEYS.a}] }
  - { id: load-b, keys: [${KEYS.b}] }
  - { id: load-c, keys: [${KEYS.c}] }
  - { id: load-rpm, keys: [${KEYS.rpm}], limits: { requests_per_minute: ${RPM} } }
  - { id: load-conc, keys: [${KEYS.conc}], limits: { max_concurrent: ${CONCURRENCY} } }
`;

const rec = new SectionRecorder("load");
let upstream: MockUpstream;
let gw: ProcessGateway;

beforeAll(async () => {
  upstream = await startMockUpstream();
  const port = await freePort();
  gw = await spawnGateway(writeConfig(yaml(upstream.url, port)), port, { LOG_LEVEL: "warn" });
});

afterAll(async () => {
  rec.write();
  await gw?.stop();
  await upstream?.close();
});

interface Tally {
  sent: number;
  ok: number;
  statuses: Record<number, number>;
  latenciesMs: number[];
}
const tally = (): Tally => ({ sent: 0, ok: 0, statuses: {}, latenciesMs: [] });

async function request(key: string, model: string, stream: boolean, marker: string, t: Tally): Promise<void> {
  const t0 = performance.now();
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}`, "x-runestone-overflow": "reject" },
    body: JSON.stringify({ model, stream, messages: [{ role: "user", content: `${marker} load test message` }] }),
  });
  const text = await res.text();
  t.sent++;
  t.statuses[res.status] = (t.statuses[res.status] ?? 0) + 1;
  if (res.status === 200 && (!stream || text.trimEnd().endsWith("data: [DONE]"))) {
    t.ok++;
    t.latenciesMs.push(performance.now() - t0);
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))] ?? NaN;
};

describe(`sustained mixed load for ${DURATION_MS / 1000} s`, () => {
  it("serves every unlimited request, holds each tenant's limits exactly, and keeps memory flat", async () => {
    const row = rec.start(
      `mixed load for ${DURATION_MS / 1000} s (3 open tenants, 1 with ${RPM} RPM, 1 with ${CONCURRENCY} concurrent; streams and JSON; one provider always failing)`,
      `100 % success for the open tenants (fallback past the failing provider); the RPM tenant gets exactly ${RPM} requests to the upstream; never more than ${CONCURRENCY} of the concurrency tenant's requests at the upstream at once; gateway RSS peak of the last third within ${RSS_GROWTH_BOUND_MB} MiB of the first third's (after 5 s warm-up)`,
    );
    const open = tally();
    const rpm = tally();
    const conc = tally();
    const t0 = performance.now();
    const until = t0 + DURATION_MS;
    let n = 0;
    let maxConcAtUpstream = 0;
    const concWatch = setInterval(() => {
      const inFlight = upstream.requests.filter((r) => !r.completed && r.clientClosedAt === undefined && r.rawBody.includes("conc-marker")).length;
      maxConcAtUpstream = Math.max(maxConcAtUpstream, inFlight);
    }, 10);
    const rss = sampler(() => gw.rssMb(), 1_000);

    const openKeys = [KEYS.a, KEYS.b, KEYS.c];
    const openWorker = async (w: number) => {
      for (let i = 0; performance.now() < until; i++) {
        const model = (i + w) % 3 === 0 ? "resilient" : "gpt-4o-mini";
        await request(openKeys[(i + w) % 3]!, model, (i + w) % 2 === 0, `open-marker-${++n}-x`, open);
      }
    };
    const rpmWorker = async () => {
      while (performance.now() < until) {
        await request(KEYS.rpm, "gpt-4o-mini", rpm.sent % 2 === 0, `rpm-marker-${++n}-x`, rpm);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const concWorker = async () => {
      while (performance.now() < until) {
        const refused = conc.statuses[429] ?? 0;
        await request(KEYS.conc, "slowish", conc.sent % 2 === 0, `conc-marker-${++n}-x`, conc);
        if ((conc.statuses[429] ?? 0) > refused) await new Promise((r) => setTimeout(r, 20));
      }
    };
    await Promise.all([...Array.from({ length: 8 }, (_, w) => openWorker(w)), rpmWorker(), rpmWorker(), ...Array.from({ length: 6 }, concWorker)]);
    clearInterval(concWatch);
    const elapsedS = (performance.now() - t0) / 1000;
    const rssSamples = rss.stop();

    expect(open.ok).toBe(open.sent);
    expect(open.sent).toBeGreaterThan(100);

    const rpmAtUpstream = upstream.requests.filter((r) => r.rawBody.includes("rpm-marker")).length;
    expect(rpm.sent).toBeGreaterThan(RPM);
    expect(rpm.statuses[200]).toBe(RPM);
    expect(rpmAtUpstream).toBe(RPM);
    expect(rpm.statuses[429]).toBe(rpm.sent - RPM);

    expect(maxConcAtUpstream).toBeLessThanOrEqual(CONCURRENCY);
    expect(maxConcAtUpstream).toBeGreaterThanOrEqual(1);
    expect(conc.statuses[429] ?? 0).toBeGreaterThan(0);
    expect((conc.statuses[200] ?? 0) + (conc.statuses[429] ?? 0)).toBe(conc.sent);

    const failingCalls = upstream.requests.filter((r) => r.rawBody.includes('"model":"down::')).length;
    const resilientServed = upstream.requests.filter((r) => r.rawBody.includes('"model":"resilient-b"')).length;
    expect(failingCalls).toBeGreaterThanOrEqual(3);
    expect(failingCalls).toBeLessThan(resilientServed / 4);

    // Warm-up: the first 5 s (JIT, pools, SQLite pages). After it, the peak of the last third may not
    // be above the peak of the first third by more than the bound (a leak grows with every request).
    const third = Math.floor((rssSamples.length - 5) / 3);
    const warm = Math.max(...rssSamples.slice(5, 5 + third));
    const end = Math.max(...rssSamples.slice(-third));
    expect(end - warm).toBeLessThan(RSS_GROWTH_BOUND_MB);
    expect(gw.alive()).toBe(true);

    const total = open.sent + rpm.sent + conc.sent;
    rec.figures["load: duration (s)"] = elapsedS.toFixed(1);
    rec.figures["load: requests / rate"] = `${total} / ${(total / elapsedS).toFixed(0)} per s`;
    rec.figures["load: open tenants success"] = `${open.ok} / ${open.sent} (100 %)`;
    rec.figures["load: open tenants latency p50 / p99 (ms)"] = `${pct(open.latenciesMs, 50).toFixed(1)} / ${pct(open.latenciesMs, 99).toFixed(1)}`;
    rec.figures["load: RPM tenant admitted / at upstream / refused"] = `${rpm.statuses[200]} / ${rpmAtUpstream} / ${rpm.statuses[429]} (limit ${RPM})`;
    rec.figures["load: concurrency tenant max at upstream"] = `${maxConcAtUpstream} (limit ${CONCURRENCY}); ${conc.statuses[200] ?? 0} served, ${conc.statuses[429] ?? 0} refused`;
    rec.figures["load: failing provider calls vs fallback answers"] = `${failingCalls} vs ${resilientServed}`;
    rec.figures["load: gateway RSS peak, first / last third after warm-up (MiB)"] = `${warm.toFixed(0)} / ${end.toFixed(0)}`;
    row.pass(
      `${total} requests in ${elapsedS.toFixed(1)} s; open tenants ${open.ok}/${open.sent} ok (p50 ${pct(open.latenciesMs, 50).toFixed(0)} ms, p99 ${pct(open.latenciesMs, 99).toFixed(0)} ms); RPM tenant: ${rpm.statuses[200]} admitted = ${rpmAtUpstream} at upstream, ${rpm.statuses[429]} x 429; concurrency tenant: max ${maxConcAtUpstream} at upstream; failing provider called ${failingCalls} times (breaker) while the backup served ${resilientServed}; RSS peak ${warm.toFixed(0)} MiB in the first third after warm-up, ${end.toFixed(0)} MiB in the last`,
    );
  }, DURATION_MS + 60_000);
});
