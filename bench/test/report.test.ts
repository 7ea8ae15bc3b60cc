// The report from partial results: a stage that failed or did not run must still give a readable
// table and chart, and targets that could not be measured must say so rather than pass or fail.
import { describe, expect, it } from "vitest";
import { renderChart } from "../src/chart-svg.js";
import { renderMarkdown } from "../src/report-md.js";
import { checkTargets } from "../src/targets.js";
import { percentile } from "../src/stats.js";

const meta = {
  started_at: "2026-01-01T00:00:00.000Z",
  elapsed_s: 1,
  smoke: false,
  command: "pnpm bench",
  machine: { cpu_model: "Test CPU", cores: 2, memory_gb: 4, node: "v20.20.2", kernel: "Linux 6", load_average_at_start: [0, 0, 0] },
  layout: { description: "not pinned" },
};

describe("report", () => {
  it("names a failed stage and a stage that did not run, and leaves their targets unjudged", () => {
    const stages = { throughput: { error: "Error: portkey did not answer\n    at x" } };
    const targets = checkTargets(stages);
    expect(targets.every((t) => t.met === null)).toBe(true);
    const md = renderMarkdown({ meta, stages, targets });
    expect(md).toContain("The stage failed: `Error: portkey did not answer`");
    expect(md).toContain("## 1. Sequential overhead (non-streaming)\n\nNot run.");
    expect(md).toContain("| throughput at 64 connections >= the card floor's (ratio >= 1) | – | not run |");
    expect(renderChart({ meta, stages, targets })).toMatch(/^<svg [\s\S]*<\/svg>\n$/);
  });

  it("judges Runestone against the card floor of the same run and throughput against five times Portkey's", () => {
    const seq = (id: string, overhead: number, p99: number) => ({ id, overhead_p50_ms: overhead, p99_ms: p99 });
    const thr = (id: string, rps: number) => ({ id, requests_per_s: rps, errors: 0 });
    const stages = {
      sequential: { targets: [seq("direct", 0, 0.5), seq("express-floor", 0.6, 1.5), seq("runestone", 0.68, 1.4), seq("portkey", 1.2, 3)] },
      throughput: { targets: [thr("direct", 18000), thr("express-floor", 5400), thr("runestone", 5500), thr("portkey", 1200)] },
    };
    const byId = Object.fromEntries(checkTargets(stages).map((t) => [t.id, t]));
    expect(byId["sequential-overhead-p50"]).toMatchObject({ measured: 0.08, met: false });
    expect(byId["sequential-p99"]).toMatchObject({ measured: -0.1, met: true });
    expect(byId["throughput-vs-card-floor"]).toMatchObject({ measured: 1.02, met: true });
    expect(byId["throughput-vs-portkey"]).toMatchObject({ measured: 4.58, met: false });
    // rows without slices (an older results.json): no per-slice ratios
    expect(byId["throughput-vs-card-floor"].slice_ratios).toBeNull();
  });

  it("shows the throughput ratio slice by slice beside the judged one, so one slice hit by outside load stands out", () => {
    const thr = (id: string, slices: number[]) => ({ id, label: id, requests_per_s: Math.round(slices.reduce((a, b) => a + b) / slices.length), slice_requests_per_s: slices, errors: 0, p50_ms: 20, p99_ms: 40 });
    const stages = { throughput: { connections: 64, duration_s: 15, slices: 3, targets: [thr("express-floor", [2650, 1737, 2873]), thr("runestone", [2293, 2419, 2065]), thr("portkey", [900, 818, 669])] } };
    const targets = checkTargets(stages);
    const card = targets.find((t) => t.id === "throughput-vs-card-floor");
    expect(card).toMatchObject({ measured: 0.93, met: false, slice_ratios: [0.87, 1.39, 0.72] });
    const md = renderMarkdown({ meta, stages, targets });
    expect(md).toContain("| throughput at 64 connections >= the card floor's (ratio >= 1) | 0.93 (slice by slice: 0.87, 1.39, 0.72; median 0.87) | **missed** |");
    // The Portkey goal the same way: judged on the whole run's ratio, the slices beside it.
    expect(targets.find((t) => t.id === "throughput-vs-portkey")).toMatchObject({ measured: 2.84, met: false, slice_ratios: [2.55, 2.96, 3.09] });
    expect(md).toContain("| throughput at 64 connections >= 5x Portkey's | 2.84 (slice by slice: 2.55, 2.96, 3.09; median 2.96) | **missed** |");
  });

  it("reports Runestone's stream TTFC beside the floors' of the same run, without judging it", () => {
    const str = (id: string, ttfc: number, overhead: number) => ({ id, label: id, streams: 30, failed: 0, ttfc_p50_ms: ttfc, ttfc_p99_ms: ttfc, total_p50_ms: 600, total_p99_ms: 610, ttfc_overhead_ms: overhead, total_overhead_ms: 0 });
    const stages = {
      streaming: {
        chunks: 100,
        chunk_delay_ms: 5,
        streams_per_target: 30,
        targets: [str("direct", 2.4, 0), str("node-floor", 4.1, 1.7), str("express-floor", 4.6, 2.2), str("runestone", 5.4, 3), str("portkey", 9, 6.6)],
      },
    };
    const targets = checkTargets(stages);
    const ttfc = targets.find((t) => t.id === "stream-ttfc-overhead");
    expect(ttfc).toMatchObject({ measured: 3, met: false, runestone_minus_node_floor_ms: 1.3, runestone_minus_card_floor_ms: 0.8 });
    const md = renderMarkdown({ meta, stages, targets });
    expect(md).toContain("| stream time-to-first-chunk overhead <= 1 ms | 3 (Runestone - Node floor: 1.3, - card floor: 0.8) | **missed** |");
    expect(md).toContain("Runestone's TTFC p50 minus the Node floor's: 1.3 ms; minus the card floor's: 0.8 ms.");
    // an older results.json without floor rows: the goal is still judged, the gaps left out
    const old = { streaming: { ...stages.streaming, targets: stages.streaming.targets.filter((t) => !t.id.includes("floor")) } };
    const oldTargets = checkTargets(old);
    expect(oldTargets.find((t) => t.id === "stream-ttfc-overhead")).toMatchObject({ measured: 3, met: false, runestone_minus_node_floor_ms: null });
    expect(renderMarkdown({ meta, stages: old, targets: oldTargets })).toContain("| stream time-to-first-chunk overhead <= 1 ms | 3 | **missed** |");
  });

  it("interpolates percentiles between ranks", () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([5], 99)).toBe(5);
  });
});
