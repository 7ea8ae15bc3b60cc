// The goals of issue 8, checked against one run's numbers. `met` is null when a stage did not run.

const byId = (stage, id) => stage?.targets?.find((t) => t.id === id);

export function checkTargets(stages) {
  const seqRs = byId(stages.sequential, "runestone");
  const seqPk = byId(stages.sequential, "portkey");
  const thrRs = byId(stages.throughput, "runestone");
  const thrPk = byId(stages.throughput, "portkey");
  const strRs = byId(stages.streaming, "runestone");
  const conc = stages["concurrent-streams"];
  const mem = stages.memory;
  const checks = [];
  const add = (id, goal, measured, met) => checks.push({ id, goal, measured, met: measured === undefined ? null : met });

  add("sequential-overhead", "sequential overhead p50 <= 0.3 ms", seqRs?.overhead_p50_ms ?? undefined, seqRs?.overhead_p50_ms <= 0.3);
  const ratio = seqRs && seqPk && seqPk.overhead_p50_ms > 0 ? round2(seqRs.overhead_p50_ms / seqPk.overhead_p50_ms) : undefined;
  add("overhead-vs-portkey", "overhead p50 <= 1/5 of Portkey's (ratio <= 0.2)", ratio, ratio <= 0.2);
  const thr = thrRs && thrPk && thrPk.requests_per_s > 0 ? round2(thrRs.requests_per_s / thrPk.requests_per_s) : undefined;
  add("throughput-vs-portkey", "saturated throughput >= 2x Portkey's", thr, thr >= 2 && thrRs.errors === 0);
  add("stream-ttfc-overhead", "stream time-to-first-chunk overhead <= 1 ms", strRs?.ttfc_overhead_ms ?? undefined, strRs?.ttfc_overhead_ms <= 1);
  add("concurrent-streams", `${conc?.streams ?? 1000} concurrent streams, zero failures`, conc ? conc.failed : undefined, conc?.failed === 0);
  add("concurrent-streams-rss", "peak RSS during them <= 300 MB", conc?.peak_rss_mb, conc?.peak_rss_mb <= 300);
  add("rss-growth", `RSS after ${mem?.after_total?.requests ?? 100_000} requests within 10% of after ${mem?.after_first?.requests ?? 10_000}`, mem?.growth_pct ?? undefined, Math.abs(mem?.growth_pct) <= 10);
  return checks;
}

const round2 = (x) => Math.round(x * 100) / 100;
