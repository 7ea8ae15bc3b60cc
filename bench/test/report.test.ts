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
    expect(md).toContain("| sequential overhead p50 <= 0.3 ms | – | not run |");
    expect(renderChart({ meta, stages, targets })).toMatch(/^<svg [\s\S]*<\/svg>\n$/);
  });

  it("judges overhead against Portkey's and throughput against twice Portkey's", () => {
    const seq = (id: string, overhead: number) => ({ id, overhead_p50_ms: overhead });
    const thr = (id: string, rps: number) => ({ id, requests_per_s: rps, errors: 0 });
    const stages = {
      sequential: { targets: [seq("direct", 0), seq("runestone", 0.25), seq("portkey", 2.5)] },
      throughput: { targets: [thr("direct", 9000), thr("runestone", 3000), thr("portkey", 1600)] },
    };
    const byId = Object.fromEntries(checkTargets(stages).map((t) => [t.id, t]));
    expect(byId["sequential-overhead"]).toMatchObject({ measured: 0.25, met: true });
    expect(byId["overhead-vs-portkey"]).toMatchObject({ measured: 0.1, met: true });
    expect(byId["throughput-vs-portkey"]).toMatchObject({ measured: 1.88, met: false });
  });

  it("interpolates percentiles between ranks", () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([5], 99)).toBe(5);
  });
});
