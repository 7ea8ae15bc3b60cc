// chart.svg, drawn by hand (no chart dependency): sequential latency by percentile per target (log
// scale), saturated throughput bars, and p50 overheads against direct.

const COLORS = { direct: "#6b7280", "node-floor": "#9ca3af", "express-floor": "#a3a3a3", runestone: "#2563eb", "runestone-warn": "#60a5fa", portkey: "#f97316" };
const FALLBACK = ["#10b981", "#a855f7", "#ef4444", "#14b8a6"];
const FONT = `font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"`;

const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const fmt = (x) => (x >= 100 ? Math.round(x).toLocaleString("en-US") : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
/** `attrs` may set font-size and fill; they replace the defaults (an attribute may appear once in XML). */
function text(x, y, s, attrs = "") {
  const size = /font-size=/.test(attrs) ? "" : ` font-size="12"`;
  const fill = /fill=/.test(attrs) ? "" : ` fill="#111827"`;
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${FONT}${size}${fill} ${attrs}>${esc(s)}</text>`;
}

function colorOf(id, i) {
  return COLORS[id] ?? FALLBACK[i % FALLBACK.length];
}

export function renderChart(results) {
  const W = 900;
  const parts = [];
  let y = 0;
  parts.push(text(W / 2, 22, `Runestone vs direct vs Portkey${results.meta.smoke ? " (smoke run)" : ""}: ${results.meta.machine.cpu_model}, ${results.meta.machine.cores} cores, ${results.meta.machine.node}`, `text-anchor="middle" font-size="14" font-weight="600"`));
  y = 36;
  const seq = results.stages.sequential;
  if (seq?.targets?.length) {
    parts.push(latencyPanel(seq, 0, y, W, 300));
    y += 310;
  }
  const thr = results.stages.throughput;
  const overheads = overheadBars(results);
  if (thr?.targets?.length || overheads.length) {
    if (thr?.targets?.length) {
      parts.push(
        barPanel(
          `Throughput, ${thr.connections} connections (requests/s)`,
          thr.targets.map((t, i) => ({ label: t.label, value: t.requests_per_s, color: colorOf(t.id, i), note: `p99 ${fmt(t.p99_ms)} ms` })),
          0,
          y,
          W / 2,
          250,
        ),
      );
    }
    if (overheads.length) parts.push(barPanel("Added latency p50 vs direct (ms)", overheads, W / 2, y, W / 2, 250));
    y += 260;
  }
  const H = y + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="Benchmark chart">
<rect width="${W}" height="${H}" fill="#ffffff"/>
${parts.join("\n")}
</svg>
`;
}

function overheadBars(results) {
  const bars = [];
  const seq = results.stages.sequential?.targets ?? [];
  const str = results.stages.streaming?.targets ?? [];
  seq.forEach((t, i) => {
    if (t.id !== "direct" && t.overhead_p50_ms !== null) bars.push({ label: `${t.label}`, value: Math.max(0, t.overhead_p50_ms), color: colorOf(t.id, i), note: "request" });
  });
  str.forEach((t, i) => {
    if (t.id !== "direct" && t.ttfc_overhead_ms !== null) bars.push({ label: `${t.label}`, value: Math.max(0, t.ttfc_overhead_ms), color: colorOf(t.id, i), note: "stream TTFC", hatch: true });
  });
  return bars;
}

function latencyPanel(seq, x0, y0, w, h) {
  const left = x0 + 60;
  const right = x0 + w - 200;
  const top = y0 + 28;
  const bottom = y0 + h - 34;
  const points = seq.targets[0].distribution.map(([p]) => p).filter((p) => p > 0 && p < 100);
  const values = seq.targets.flatMap((t) => t.distribution.filter(([p]) => points.includes(p)).map(([, v]) => v)).filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  const yOf = (v) => bottom - ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * (bottom - top);
  const xOf = (i) => left + (i / (points.length - 1)) * (right - left);
  const out = [];
  out.push(text(x0 + w / 2, y0 + 14, `Sequential request latency by percentile (ms, log scale): ${seq.rounds} x ${seq.per_round} requests per target`, `text-anchor="middle" font-weight="600"`));
  for (let d = lo; d <= hi * 1.0001; d *= 10) {
    for (const m of [1, 2, 5]) {
      const v = d * m;
      if (v > hi * 1.0001) break;
      const yy = yOf(v);
      out.push(`<line x1="${left}" x2="${right}" y1="${yy.toFixed(1)}" y2="${yy.toFixed(1)}" stroke="${m === 1 ? "#d1d5db" : "#f3f4f6"}"/>`);
      out.push(text(left - 6, yy + 4, fmt(v), `text-anchor="end" font-size="11" fill="#4b5563"`));
    }
  }
  points.forEach((p, i) => {
    out.push(`<line x1="${xOf(i).toFixed(1)}" x2="${xOf(i).toFixed(1)}" y1="${top}" y2="${bottom}" stroke="#f3f4f6"/>`);
    out.push(text(xOf(i), bottom + 16, `p${p}`, `text-anchor="middle" font-size="11" fill="#4b5563"`));
  });
  out.push(`<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#9ca3af"/>`);
  seq.targets.forEach((t, i) => {
    const pts = points.map((p, j) => {
      const v = t.distribution.find(([q]) => q === p)?.[1] ?? NaN;
      return `${xOf(j).toFixed(1)},${yOf(v).toFixed(1)}`;
    });
    const c = colorOf(t.id, i);
    out.push(`<polyline fill="none" stroke="${c}" stroke-width="2.5" points="${pts.join(" ")}"/>`);
    const ly = top + 8 + i * 38;
    out.push(`<rect x="${right + 20}" y="${ly - 9}" width="14" height="4" fill="${c}"/>`);
    out.push(text(right + 40, ly - 3, t.label, `font-size="12"`));
    out.push(text(right + 40, ly + 12, `p50 ${fmt(t.median_of_round_medians_ms)} · p99 ${fmt(t.p99_ms)} ms`, `font-size="11" fill="#4b5563"`));
  });
  return out.join("\n");
}

function barPanel(title, bars, x0, y0, w, h) {
  const out = [];
  out.push(text(x0 + w / 2, y0 + 14, title, `text-anchor="middle" font-weight="600"`));
  const left = x0 + 170;
  const right = x0 + w - 80;
  const top = y0 + 30;
  const rowH = Math.min(36, (h - 40) / Math.max(1, bars.length));
  const max = Math.max(...bars.map((b) => b.value), 1e-9);
  out.push(
    `<defs><pattern id="hatch-${Math.round(x0)}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="3" height="6" fill="#ffffff" opacity="0.45"/></pattern></defs>`,
  );
  bars.forEach((b, i) => {
    const yy = top + i * rowH;
    const bw = Math.max(1, (b.value / max) * (right - left));
    out.push(text(left - 8, yy + rowH / 2 + 1, b.label, `text-anchor="end" font-size="11"`));
    if (b.note) out.push(text(left - 8, yy + rowH / 2 + 13, b.note, `text-anchor="end" font-size="10" fill="#6b7280"`));
    out.push(`<rect x="${left}" y="${(yy + 4).toFixed(1)}" width="${bw.toFixed(1)}" height="${(rowH - 10).toFixed(1)}" fill="${b.color}" rx="2"/>`);
    if (b.hatch) out.push(`<rect x="${left}" y="${(yy + 4).toFixed(1)}" width="${bw.toFixed(1)}" height="${(rowH - 10).toFixed(1)}" fill="url(#hatch-${Math.round(x0)})" rx="2"/>`);
    out.push(text(left + bw + 6, yy + rowH / 2 + 2, fmt(b.value), `font-size="11"`));
  });
  return out.join("\n");
}
