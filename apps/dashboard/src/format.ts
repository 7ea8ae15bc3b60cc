// Numbers as the page shows them.
const ints = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export const int = (n: number): string => ints.format(n);

export function ms(n: number | null | undefined): string {
  if (n === null || n === undefined) return "–";
  if (n < 10) return `${n.toFixed(2)} ms`;
  if (n < 10_000) return `${Math.round(n)} ms`;
  return `${(n / 1000).toFixed(1)} s`;
}

export function usd(n: number | null | undefined): string {
  if (n === null || n === undefined) return "unknown";
  if (n === 0) return "$0";
  return n >= 1 ? `$${n.toFixed(2)}` : `$${n.toPrecision(3)}`;
}

export function pct(n: number | null | undefined): string {
  return n === null || n === undefined ? "–" : `${(n * 100).toFixed(n < 0.1 ? 1 : 0)} %`;
}

export function age(msAgo: number | null | undefined): string {
  if (msAgo === null || msAgo === undefined) return "–";
  if (msAgo < 1000) return `${Math.round(msAgo)} ms`;
  if (msAgo < 120_000) return `${Math.round(msAgo / 1000)} s`;
  return `${Math.round(msAgo / 60_000)} min`;
}
