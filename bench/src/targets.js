// The goals of issue 14, checked against one run's numbers: every speed goal is a ratio to a row of
// the same run (the card floor: Express + express.json + express-openapi-validator + undici forward;
// Portkey). `met` is null when a stage did not run.

const byId = (stage, id) => stage?.targets?.find((t) => t.id === id);

export function checkTargets(stages) {
  const seqRs = byId(stages.sequential, "runestone");
  const seqCard = byId(stages.sequential, "express-floor");
  const thrRs = byId(stages.throughput, "runestone");
  const thrCard = byId(stages.throughput, "express-floor");
  const thrPk = byId(stages.throughput, "portkey");
  const strRs = byId(stages.streaming, "runestone");
  const strNode = byId(stages.streaming, "node-floor");
  const strCard = byId(stages.streaming, "express-floor");
  const conc = stages["concurrent-streams"];
  const mem = stages.memory;
  const checks = [];
  const add = (id, goal, measured, met) => checks.push({ id, goal, measured, met: measured === undefined ? null : met });

  const p50Gap = seqRs && seqCard ? round3(seqRs.overhead_p50_ms - seqCard.overhead_p50_ms) : undefined;
  add("sequential-overhead-p50", "sequential overhead p50 <= the card floor's + 0.05 ms (measured: Runestone - floor, ms)", p50Gap, p50Gap <= 0.05);
  const p99Gap = seqRs && seqCard ? round3(seqRs.p99_ms - seqCard.p99_ms) : undefined;
  add("sequential-p99", "sequential p99 <= the card floor's p99 (measured: Runestone - floor, ms)", p99Gap, p99Gap <= 0);
  const vsCard = thrRs && thrCard && thrCard.requests_per_s > 0 ? round2(thrRs.requests_per_s / thrCard.requests_per_s) : undefined;
  add("throughput-vs-card-floor", "throughput at 64 connections >= the card floor's (ratio >= 1)", vsCard, vsCard >= 1 && thrRs.errors === 0);
  // Beside it, not judged: the same ratio slice by slice (slice i of each target ran seconds apart), so a
  // burst of outside load that hit one target's slice shows as one outlier rather than moving the whole ratio.
  if (vsCard !== undefined) checks.at(-1).slice_ratios = sliceRatios(thrRs, thrCard);
  const vsPk = thrRs && thrPk && thrPk.requests_per_s > 0 ? round2(thrRs.requests_per_s / thrPk.requests_per_s) : undefined;
  add("throughput-vs-portkey", "throughput at 64 connections >= 5x Portkey's", vsPk, vsPk >= 5 && thrRs.errors === 0);
  if (vsPk !== undefined) checks.at(-1).slice_ratios = sliceRatios(thrRs, thrPk); // beside it, not judged, as above
  add("stream-ttfc-overhead", "stream time-to-first-chunk overhead <= 1 ms", strRs?.ttfc_overhead_ms ?? undefined, strRs?.ttfc_overhead_ms <= 1);
  // Beside it, not judged: Runestone's TTFC p50 minus each floor's in the same run, what Runestone
  // costs beyond a bare proxy hop (the floors pay the same loopback hop and the same idle core's wake-up).
  Object.assign(checks.at(-1), {
    runestone_minus_node_floor_ms: ttfcGap(strRs, strNode),
    runestone_minus_card_floor_ms: ttfcGap(strRs, strCard),
  });
  add("concurrent-streams", `${conc?.streams ?? 1000} concurrent streams, zero failures`, conc ? conc.failed : undefined, conc?.failed === 0);
  add("concurrent-streams-rss", "peak RSS during them <= 300 MB", conc?.peak_rss_mb, conc?.peak_rss_mb <= 300);
  add("rss-growth", `RSS after ${mem?.after_total?.requests ?? 100_000} requests within 10% of after ${mem?.after_first?.requests ?? 10_000}`, mem?.growth_pct ?? undefined, Math.abs(mem?.growth_pct) <= 10);
  return checks;
}

/** Runestone's requests/s over the floor's in each slice, or null when either row has no slices (an older results.json). */
function sliceRatios(rs, floor) {
  const a = rs.slice_requests_per_s;
  const b = floor.slice_requests_per_s;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length || a.length < 2) return null;
  return a.map((x, i) => (b[i] > 0 ? round2(x / b[i]) : null));
}

/** Runestone's TTFC p50 minus a floor's, or null when either row is missing or has no streams. */
function ttfcGap(rs, floor) {
  const a = rs?.ttfc_p50_ms;
  const b = floor?.ttfc_p50_ms;
  return typeof a === "number" && typeof b === "number" ? round3(a - b) : null;
}

const round2 = (x) => Math.round(x * 100) / 100;
const round3 = (x) => Math.round(x * 1000) / 1000;
