// results.md: the machine, the targets, and one table per stage, from results.json's shape.
import { median } from "./stats.js";

const v = (x, unit = "") => (x === null || x === undefined || Number.isNaN(x) ? "–" : `${x}${unit}`);
const table = (head, rows) => [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
const metText = (m) => (m === null ? "not run" : m ? "**met**" : "**missed**");

export function renderMarkdown(results) {
  const { meta, stages, targets } = results;
  const m = meta.machine;
  const out = [];
  out.push(`# Runestone benchmark results${meta.smoke ? " (smoke run: tiny counts, numbers mean nothing)" : ""}`, "");
  out.push(`Run ${meta.started_at}, ${Math.round(meta.elapsed_s)} s, command \`${meta.command}\`.`, "");
  out.push("## Machine", "");
  out.push(
    table(
      ["CPU", "cores", "memory", "node", "kernel", "load at start", "Runestone", "Portkey"],
      [[m.cpu_model, m.cores, `${m.memory_gb} GB`, m.node, m.kernel, m.load_average_at_start.join(" / "), `${v(m.gateway_version)}${m.git_commit ? ` (${m.git_commit})` : ""}`, v(m.portkey_version)]],
    ),
    "",
  );
  out.push(`CPU layout: ${meta.layout.description}.`, "");
  const busiest = Math.max(...m.load_average_at_start, ...(meta.load_average_at_end ?? []));
  if (busiest > m.cores / 2) {
    out.push(
      `Note: the machine was busy with other work (load average up to ${busiest} on ${m.cores} cores, at start ${m.load_average_at_start[0]}, at end ${meta.load_average_at_end?.[0] ?? "–"}); every target competed with it, so absolute numbers are pessimistic and the comparison between targets, interleaved in rounds and slices, is what to read.`,
      "",
    );
  }

  out.push("## Targets", "");
  out.push(table(["goal", "measured", "result"], targets.map((t) => [t.goal, `${v(t.measured)}${beyondFloors(t)}`, metText(t.met)])), "");

  section(out, "1. Sequential overhead (non-streaming)", stages.sequential, (s) => [
    `${s.rounds} rounds x ${s.per_round} requests per target, one at a time on a keep-alive connection, after ${s.warmup} warm-up requests; rounds interleave the targets. p50 is the median of round medians; overhead = target - direct.`,
    "",
    table(
      ["target", "p50 (ms)", "p90 (ms)", "p99 (ms)", "overhead p50 (ms)", "overhead p99 (ms)", "proxy CPU per request (µs)", "errors"],
      s.targets.map((t) => [t.label, v(t.median_of_round_medians_ms), v(t.p90_ms), v(t.p99_ms), v(t.overhead_p50_ms), v(t.overhead_p99_ms), v(t.proxy_cpu_us_per_request), t.errors]),
    ),
  ]);

  section(out, "2. Throughput at saturation", stages.throughput, (s) => [
    `autocannon, ${s.connections} connections, ${s.duration_s} s per target in ${s.slices} slices that alternate between targets, non-streaming requests; p50/p99 are the medians of the slices'. Proxy CPU is the gateway process's user+system CPU time per answered request.`,
    "",
    table(
      ["target", "requests/s", "p50 (ms)", "p99 (ms)", "errors", "proxy CPU per request (µs)"],
      s.targets.map((t) => [t.label, t.requests_per_s, v(t.p50_ms), v(t.p99_ms), t.errors, v(t.proxy_cpu_us_per_request)]),
    ),
  ]);

  section(out, "3a. Streaming", stages.streaming, (s) => [
    `${s.streams_per_target} streams per target, one at a time, each ${s.chunks} chunks with ${s.chunk_delay_ms} ms between chunks; the streams interleave the targets, so each starts on a gateway core that idled while the others ran. TTFC = time to the first body byte. The floors relay the upstream's stream chunk by chunk as it arrives.`,
    "",
    table(
      ["target", "TTFC p50 (ms)", "TTFC p99 (ms)", "TTFC overhead (ms)", "total p50 (ms)", "total overhead (ms)", "failed"],
      s.targets.map((t) => [t.label, v(t.ttfc_p50_ms), v(t.ttfc_p99_ms), v(t.ttfc_overhead_ms), v(t.total_p50_ms), v(t.total_overhead_ms), t.failed]),
    ),
    ...streamBeyondFloors(targets),
  ]);

  section(out, "3b. Concurrent slow streams through Runestone", stages["concurrent-streams"], (s) => [
    `${s.streams} streams opened within 1 s and held together, each ${s.chunks} chunks with ${s.chunk_delay_ms} ms between chunks (about ${s.expected_stream_ms} ms). Peak RSS is the fresh gateway's VmHWM (and the highest 100 ms VmRSS sample).`,
    "",
    table(
      ["streams", "completed with [DONE]", "failed", "completion rate", "stream p50 / p99 (ms)", "RSS before (MB)", "peak RSS (MB)", "wall (ms)"],
      [[s.streams, s.completed, s.failed, s.completion_rate, `${v(s.stream_total_p50_ms)} / ${v(s.stream_total_p99_ms)}`, v(s.rss_before_mb), v(s.peak_rss_mb), v(s.wall_ms)]],
    ),
    ...(s.failed ? ["", `Failures: ${JSON.stringify(s.failures)}; the kernel dropped ${v(s.listen_overflows)} connections at a full listen queue meanwhile (TcpExt ListenOverflows, machine-wide).`] : []),
  ]);

  section(out, "4. Memory", stages.memory, (s) => [
    `A fresh gateway; RSS read from /proc ${s.settle_ms} ms after each phase; requests sent by autocannon over ${s.connections} connections.`,
    "",
    table(
      ["idle RSS (MB)", `after ${s.after_first.requests} (MB)`, `after ${s.after_total.requests} (MB)`, "growth", "peak (VmHWM, MB)", "errors"],
      [[v(s.idle_rss_mb), v(s.after_first.rss_mb), v(s.after_total.rss_mb), v(s.growth_pct, " %"), v(s.after_total.hwm_mb), s.errors]],
    ),
  ]);

  section(out, "5. Redis mode against embedded", stages.redis, (s) => [
    `Sequential, ${s.rounds} rounds x ${s.per_round}; both gateways with every tenant limit set (high enough never to refuse). Redis commands per request: ${v(s.redis_commands_per_request)} (net of ${v(s.redis_idle_commands_per_s)} background commands/s measured idle).`,
    "",
    table(
      ["target", "p50 (ms)", "p99 (ms)", "overhead p50 (ms)", "overhead p99 (ms)", "errors"],
      s.targets.map((t) => [t.label, v(t.median_of_round_medians_ms), v(t.p99_ms), v(t.overhead_p50_ms), v(t.overhead_p99_ms), t.errors]),
    ),
    ...notes(s.notes),
  ]);

  section(out, "6. Workers", stages.workers, (s) => [
    `autocannon, ${s.connections} connections, ${s.duration_s} s; the gateway may use cores ${s.cpus} (the mock and the load generator share them); RUNESTONE_REDIS_URL set for both, as more than one worker requires Redis. Speed-up 2 vs 1: ${v(s.speedup)}.`,
    "",
    table(
      ["RUNESTONE_WORKERS", "processes", "requests/s", "p50 (ms)", "p99 (ms)", "errors"],
      s.targets.map((t) => (t.error ? [t.workers, "–", `failed: ${t.error.split("\n")[0]}`, "–", "–", "–"] : [t.workers, t.processes, t.requests_per_s, v(t.p50_ms), v(t.p99_ms), t.errors])),
    ),
    ...notes(s.notes),
  ]);

  out.push("![latency distributions and throughput](chart.svg)", "");
  return out.join("\n");
}

function section(out, title, stage, render) {
  out.push(`## ${title}`, "");
  if (!stage) out.push("Not run.");
  else if (stage.error) out.push(`The stage failed: \`${stage.error.split("\n")[0]}\``);
  else out.push(...render(stage));
  out.push("");
}

/** Runestone's TTFC minus the floors' (stream-ttfc-overhead carries them), or the per-slice throughput ratios, after its measured value. */
function beyondFloors(t) {
  if (Array.isArray(t.slice_ratios)) return ` (slice by slice: ${t.slice_ratios.map((r) => v(r)).join(", ")}; median ${v(Math.round(median(t.slice_ratios.filter((r) => r !== null)) * 100) / 100)})`;
  if (t.runestone_minus_node_floor_ms == null && t.runestone_minus_card_floor_ms == null) return "";
  return ` (Runestone - Node floor: ${v(t.runestone_minus_node_floor_ms)}, - card floor: ${v(t.runestone_minus_card_floor_ms)})`;
}

function streamBeyondFloors(targets) {
  const t = targets?.find((c) => c.id === "stream-ttfc-overhead");
  if (!t || (t.runestone_minus_node_floor_ms == null && t.runestone_minus_card_floor_ms == null)) return [];
  return [
    "",
    `Runestone's TTFC p50 minus the Node floor's: ${v(t.runestone_minus_node_floor_ms, " ms")}; minus the card floor's: ${v(t.runestone_minus_card_floor_ms, " ms")}. That is what Runestone costs beyond a bare proxy hop: the floors pay the same extra loopback hop and the same wake-up of the gateway core.`,
  ];
}

const notes = (list) => (list?.length ? ["", ...list.map((n) => `Note: ${n}`)] : []);
