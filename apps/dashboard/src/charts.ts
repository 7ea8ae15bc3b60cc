// uPlot charts: made once, then fed new data on every refresh (setData), resized with their container.
import uPlot from "uplot";

export interface SeriesSpec {
  label: string;
  color: string;
  dash?: number[];
  /** How the legend shows a value. */
  fmt?: (v: number) => string;
}

const HEIGHT = 200;
const AXIS = { stroke: "#8d98a6", grid: { stroke: "#2a313b", width: 1 }, ticks: { stroke: "#2a313b", width: 1 } };
const charts: { plot: uPlot; el: HTMLElement }[] = [];

function width(el: HTMLElement): number {
  return Math.max(240, Math.floor(el.clientWidth || 400));
}

/** `minMax`: the y axis shows at least 0..minMax, so an idle chart has a readable scale. */
export function chart(el: HTMLElement, series: SeriesSpec[], o: { bars?: boolean; days?: boolean; yFmt?: (v: number) => string; minMax?: number; points?: boolean } = {}): uPlot {
  const minMax = o.minMax ?? 1;
  const bars = o.bars ? uPlot.paths.bars!({ size: [0.7, 40] }) : undefined;
  const opts: uPlot.Options = {
    width: width(el),
    height: HEIGHT,
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(minMax, (max ?? 0) * 1.1)] } },
    axes: [
      { ...AXIS, ...(o.days ? { values: (_u: uPlot, ticks: number[]) => ticks.map((t) => new Date(t * 1000).toISOString().slice(5, 10)) } : {}) },
      { ...AXIS, size: 72, ...(o.yFmt ? { values: (_u: uPlot, ticks: number[]) => ticks.map(o.yFmt!) } : {}) },
    ],
    series: [
      { value: o.days ? (_u, v) => (v === null ? "–" : new Date(v * 1000).toISOString().slice(0, 10)) : undefined },
      ...series.map<uPlot.Series>((s) => ({
        label: s.label,
        stroke: s.color,
        width: 2,
        dash: s.dash,
        spanGaps: false,
        // Percentiles are null in idle minutes: a busy minute alone between them has no line, only its point.
        points: { show: o.points === true, size: 5, fill: s.color },
        ...(bars ? { paths: bars, fill: `${s.color}aa` } : {}),
        value: (_u, v) => (v === null ? "–" : s.fmt ? s.fmt(v) : String(v)),
      })),
    ],
  };
  const plot = new uPlot(opts, [[], ...series.map(() => [])], el);
  charts.push({ plot, el });
  return plot;
}

/** Every chart the page drew (the browser test counts them). */
export function allCharts(): uPlot[] {
  return charts.map((c) => c.plot);
}

let pending = 0;
addEventListener("resize", () => {
  cancelAnimationFrame(pending);
  pending = requestAnimationFrame(() => {
    for (const c of charts) c.plot.setSize({ width: width(c.el), height: HEIGHT });
  });
});
