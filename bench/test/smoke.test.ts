// The kit end to end with tiny counts (`pnpm bench:smoke`): every stage starts its processes,
// measures and reports. It asserts that the numbers exist and no request failed, never how fast.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const RUN = fileURLToPath(new URL("../src/run.js", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "runestone-bench-smoke-"));
let exit: { code: number | null; stderr: string };
let results: any;

beforeAll(async () => {
  exit = await new Promise((resolve) => {
    const child = spawn(process.execPath, [RUN, "--smoke", "--out", out], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGTERM"), 170_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
  results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
}, 180_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("pnpm bench:smoke", () => {
  it("runs every stage to the end and exits 0", () => {
    expect(exit.stderr).not.toMatch(/FAILED/);
    expect(exit.code).toBe(0);
    expect(Object.keys(results.stages)).toEqual(["sequential", "throughput", "streaming", "concurrent-streams", "memory", "redis", "workers"]);
    for (const stage of Object.values<any>(results.stages)) expect(stage.error).toBeUndefined();
  });

  it("measures direct, both floors, Runestone and Portkey sequentially and reports the overhead against direct", () => {
    const ids = results.stages.sequential.targets.map((t: any) => t.id);
    expect(ids).toEqual(["direct", "node-floor", "express-floor", "runestone", "runestone-warn", "portkey"]);
    for (const t of results.stages.sequential.targets) {
      expect(t.errors).toBe(0);
      expect(t.requests).toBe(2 * 20);
      expect(t.median_of_round_medians_ms).toBeGreaterThan(0);
      expect(t.p99_ms).toBeGreaterThanOrEqual(t.median_of_round_medians_ms);
    }
    expect(results.stages.sequential.targets[0].overhead_p50_ms).toBe(0);
  });

  // A 1 s slice on a machine busy with other tests may finish no request at all: count errors, not answers.
  it("saturates every target with autocannon without errors", () => {
    expect(results.stages.throughput.targets.map((t: any) => t.id)).toEqual(["direct", "node-floor", "express-floor", "runestone", "runestone-warn", "portkey"]);
    for (const t of results.stages.throughput.targets) {
      expect(t.errors).toBe(0);
      expect(t.duration_s).toBeGreaterThan(0);
    }
  });

  it("completes every stream, one at a time and all at once, and reads the gateway's peak RSS", () => {
    // the floors stream too; a stream counts only if it ended with data: [DONE] (streamTimed's `done`)
    expect(results.stages.streaming.targets.map((t: any) => t.id)).toEqual(["direct", "node-floor", "express-floor", "runestone", "portkey"]);
    for (const t of results.stages.streaming.targets) {
      expect(t.failed).toBe(0);
      expect(t.streams).toBe(results.stages.streaming.streams_per_target);
      expect(t.ttfc_p50_ms).toBeGreaterThan(0);
      expect(t.total_p50_ms).toBeGreaterThanOrEqual(t.ttfc_p50_ms);
    }
    const ttfc = results.targets.find((t: any) => t.id === "stream-ttfc-overhead");
    expect(typeof ttfc.measured).toBe("number");
    expect(typeof ttfc.runestone_minus_node_floor_ms).toBe("number");
    expect(typeof ttfc.runestone_minus_card_floor_ms).toBe("number");
    const c = results.stages["concurrent-streams"];
    expect(c.completed).toBe(c.streams);
    expect(c.peak_rss_mb).toBeGreaterThan(0);
  });

  it("reads gateway memory idle and after both request counts", () => {
    const m = results.stages.memory;
    expect(m.errors).toBe(0);
    expect(m.idle_rss_mb).toBeGreaterThan(0);
    expect(m.after_first.rss_mb).toBeGreaterThan(0);
    expect(m.after_total.rss_mb).toBeGreaterThan(0);
    expect(typeof m.growth_pct).toBe("number");
  });

  it("compares Redis mode with embedded mode and workers 2 with 1, saying when a mode is not in effect", () => {
    const r = results.stages.redis;
    expect(r.targets.map((t: any) => t.id)).toEqual(["direct", "embedded", "redis"]);
    for (const t of r.targets) expect(t.errors).toBe(0);
    if (r.redis_commands_per_request < 0.5) expect(r.notes.join(" ")).toMatch(/not in effect/);
    const w = results.stages.workers;
    expect(w.targets.map((t: any) => t.workers)).toEqual([1, 2]);
    for (const t of w.targets) expect(t.errors).toBe(0);
    if (w.targets[1].processes <= w.targets[0].processes) expect(w.notes.join(" ")).toMatch(/not in effect/);
  });

  it("writes the Markdown table with machine facts and targets, and a well-formed SVG chart", () => {
    const md = readFileSync(join(out, "results.md"), "utf8");
    expect(md).toContain("## Machine");
    expect(md).toContain("## Targets");
    expect(md).toContain(results.meta.machine.node);
    expect(results.targets).toHaveLength(8);
    const svg = readFileSync(join(out, "chart.svg"), "utf8");
    expect(svg.startsWith("<svg ")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg).toContain("<polyline");
    // XML rejects an attribute given twice in one tag; browsers then show an error instead of the chart
    for (const tag of svg.match(/<[a-z][^>]*>/g) ?? []) {
      const names = [...tag.matchAll(/\s([a-z-]+)=/g)].map((m) => m[1]);
      expect(new Set(names).size, tag).toBe(names.length);
    }
  });
});
