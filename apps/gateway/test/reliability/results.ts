// The reliability suite's results table. Each test file records its scenarios and figures in one
// section file (results/sections/<id>.json); after each write, results.json and results.md are
// rebuilt from every section present, under a lock, so files that finish at the same time (vitest
// runs them in parallel workers) never drop each other's rows.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const RESULTS_DIR = fileURLToPath(new URL("./results/", import.meta.url));
const SECTIONS_DIR = join(RESULTS_DIR, "sections");

/** The order of sections in the table, and their titles. */
export const SECTIONS = {
  faults: "1. Fault catalogue",
  fuzz: "2. Fuzzing",
  durability: "3. Durability (kill -9)",
  load: "4. Sustained mixed load",
  security: "5. Security",
  beyond: "6. Beyond one box (Redis restart, kill -9 with leases, clock skew)",
  "state-and-queue": "7. State ownership, queue fairness, keys and jobs, tenant ids",
  hostile: "8. Hostile bodies and sockets",
  "hostile-upstream": "9. Hostile upstream answers (malformed usage, leaked keys, huge answers, broken shapes)",
} as const;
export type SectionId = keyof typeof SECTIONS;

export interface ScenarioRow {
  scenario: string;
  /** The safe outcome the test asserts. */
  expected: string;
  /** What was measured (counts, times). */
  observed: string;
  passed: boolean;
}

export interface Section {
  id: SectionId;
  /** Several test files may fill one section, each as a part. */
  part?: string;
  title: string;
  finishedAt: string;
  durationMs: number;
  scenarios: ScenarioRow[];
  /** Headline figures (for the README), name -> value. */
  figures: Record<string, number | string>;
}

/** Collects one file's rows; a scenario not marked passed is written as failed. */
export class SectionRecorder {
  private readonly started = performance.now();
  private readonly rows = new Map<string, ScenarioRow>();
  readonly figures: Record<string, number | string> = {};

  constructor(
    private readonly id: SectionId,
    private readonly part?: string,
  ) {}

  /** Declares a scenario as failed until `pass` is called with what was observed. */
  start(scenario: string, expected: string): { pass(observed: string): void } {
    const row: ScenarioRow = { scenario, expected, observed: "did not complete", passed: false };
    this.rows.set(scenario, row);
    return {
      pass: (observed: string) => {
        row.observed = observed;
        row.passed = true;
      },
    };
  }

  write(): void {
    const section: Section = {
      id: this.id,
      part: this.part,
      title: SECTIONS[this.id],
      finishedAt: new Date().toISOString(),
      durationMs: Math.round(performance.now() - this.started),
      scenarios: [...this.rows.values()],
      figures: this.figures,
    };
    mkdirSync(SECTIONS_DIR, { recursive: true });
    atomicWrite(join(SECTIONS_DIR, `${this.id}${this.part ? `-${this.part}` : ""}.json`), `${JSON.stringify(section, null, 2)}\n`);
    withLock(() => rebuild());
  }
}

/** Every section, its parts merged in part order. */
function readSections(): Section[] {
  if (!existsSync(SECTIONS_DIR)) return [];
  const order = Object.keys(SECTIONS);
  const parts = readdirSync(SECTIONS_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(join(SECTIONS_DIR, f), "utf8")) as Section)
    .filter((s) => order.includes(s.id))
    .sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id) || (a.part ?? "").localeCompare(b.part ?? ""));
  const merged = new Map<SectionId, Section>();
  for (const p of parts) {
    const m = merged.get(p.id);
    if (!m) merged.set(p.id, { ...p, part: undefined, scenarios: [...p.scenarios], figures: { ...p.figures } });
    else {
      m.scenarios.push(...p.scenarios);
      Object.assign(m.figures, p.figures);
      m.durationMs += p.durationMs;
      if (p.finishedAt > m.finishedAt) m.finishedAt = p.finishedAt;
    }
  }
  return [...merged.values()];
}

function rebuild(): void {
  const sections = readSections();
  const scenarios = sections.flatMap((s) => s.scenarios);
  const summary = {
    scenarios: scenarios.length,
    passed: scenarios.filter((s) => s.passed).length,
    failed: scenarios.filter((s) => !s.passed).length,
    durationMs: sections.reduce((t, s) => t + s.durationMs, 0),
  };
  atomicWrite(join(RESULTS_DIR, "results.json"), `${JSON.stringify({ summary, sections }, null, 2)}\n`);
  atomicWrite(join(RESULTS_DIR, "results.md"), toMarkdown(summary, sections));
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function toMarkdown(summary: { scenarios: number; passed: number; failed: number; durationMs: number }, sections: Section[]): string {
  const out = [
    "# Reliability results",
    "",
    "Written by `pnpm test:reliability` (apps/gateway/test/reliability); do not edit by hand.",
    "",
    `**${summary.passed} of ${summary.scenarios} scenarios passed** (${summary.failed} failed); the sections' own time adds up to ${(summary.durationMs / 1000).toFixed(1)} s (files run in parallel).`,
    "",
  ];
  for (const s of sections) {
    out.push(`## ${s.title}`, "", `${s.scenarios.filter((r) => r.passed).length}/${s.scenarios.length} passed in ${(s.durationMs / 1000).toFixed(1)} s, ${s.finishedAt}.`, "");
    out.push("| scenario | expected safe outcome | observed | result |", "| --- | --- | --- | --- |");
    for (const r of s.scenarios) out.push(`| ${cell(r.scenario)} | ${cell(r.expected)} | ${cell(r.observed)} | ${r.passed ? "pass" : "**FAIL**"} |`);
    const figures = Object.entries(s.figures);
    if (figures.length) {
      out.push("", "| figure | value |", "| --- | --- |");
      for (const [k, v] of figures) out.push(`| ${cell(k)} | ${cell(String(v))} |`);
    }
    out.push("");
  }
  return `${out.join("\n")}`;
}

function atomicWrite(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** A directory lock: mkdir is atomic. A lock older than 10 s belonged to a worker that died. */
function withLock(fn: () => void): void {
  const lock = join(RESULTS_DIR, ".lock");
  const until = Date.now() + 10_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > until) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  try {
    fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
