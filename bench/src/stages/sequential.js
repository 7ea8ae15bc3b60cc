// Sequential overhead: R rounds of M non-streaming requests, one at a time, per target. Rounds
// interleave the targets so drift on a shared machine hits all of them alike. Each target reports
// the median of its round medians and the p99 of all samples; overhead is that minus direct's.
import { cpuSeconds } from "../processes.js";
import { median, ms, summarize } from "../stats.js";
import { postTimed, requestBody, requestHeaders, sequentialAgent } from "../client.js";

export async function sequentialRounds(targets, { rounds, perRound, warmup }) {
  const state = targets.map((t) => {
    const body = requestBody(t, false);
    return { t, body, headers: requestHeaders(t, body), agent: sequentialAgent(), samples: [], roundMedians: [], errors: 0, lastError: undefined, cpu: 0 };
  });
  for (const s of state) {
    for (let i = 0; i < warmup; i++) await postTimed(s.agent, s.t, s.body, s.headers);
  }
  for (let r = 0; r < rounds; r++) {
    for (const s of state) {
      const round = [];
      const cpu0 = s.t.pid ? cpuSeconds(s.t.pid) : 0;
      for (let i = 0; i < perRound; i++) {
        const res = await postTimed(s.agent, s.t, s.body, s.headers);
        if (res.status !== 200) {
          s.errors++;
          s.lastError = res.error ?? `status ${res.status}`;
          continue;
        }
        round.push(res.ms);
      }
      if (s.t.pid) s.cpu += cpuSeconds(s.t.pid) - cpu0;
      s.samples.push(...round);
      if (round.length) s.roundMedians.push(median(round));
    }
  }
  for (const s of state) s.agent.destroy();
  const direct = state.find((s) => s.t.id === "direct");
  const directMedian = direct ? median(direct.roundMedians) : undefined;
  const directP99 = direct ? summarize(direct.samples).p99_ms : undefined;
  return state.map((s) => {
    const sum = summarize(s.samples);
    const med = median(s.roundMedians);
    return {
      id: s.t.id,
      label: s.t.label,
      requests: s.samples.length,
      errors: s.errors,
      ...(s.lastError ? { last_error: s.lastError } : {}),
      median_of_round_medians_ms: ms(med),
      round_medians_ms: s.roundMedians.map(ms),
      ...sum,
      overhead_p50_ms: directMedian === undefined ? null : ms(med - directMedian),
      overhead_p99_ms: directP99 === undefined ? null : ms(sum.p99_ms - directP99),
      // the proxy's own CPU per request: what the overhead would be on an idle core, give or take
      // one loopback hop; it does not move when other processes compete for the core
      proxy_cpu_us_per_request: s.t.pid && s.samples.length ? Math.round((s.cpu / s.samples.length) * 1e6) : null,
    };
  });
}
