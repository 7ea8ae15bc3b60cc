// The reliability suite's results table. Each test file records its scenarios and figures in one
// section file (results/latest/sections/<id>.json); after each write, results.json and results.md
// are rebuilt there from every section present, under a lock, so files that finish at the same time
// (vitest runs them in parallel workers) never drop each other's rows. results/latest/ is not
// committed: a run never rewrites tracked files. `pnpm reliability:snapshot` copies the last run to
// results/ (committed) and regenerates the READMEs' figures from it (snapshot.mjs).
//
// Every test of a file is a scenario: one whose setup failed (redis-server missing, say) or that
// failed before recording its row is written as failed, named after the test, so a broken setup
// never shrinks the table's "N of N passed". Each row and section records the commit and machine.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect } from "vitest";
import { buildResults, rowsForUnreportedTests, runInfo, toMarkdown, type ScenarioRow, type Section, type TaskLike } from "./report.mjs";

export type { ScenarioRow, Section } from "./report.mjs";

/** The committed snapshot (results.json, results.md), written only by `pnpm reliability:snapshot`. */
export const SNAPSHOT_DIR = fileURLToPath(new URL("./results/", import.meta.url));
/** Where every run writes (git-ignored; RUNESTONE_RELIABILITY_RESULTS moves it, for the suite's own tests). */
export const RESULTS_DIR = process.env.RUNESTONE_RELIABILITY_RESULTS ?? join(SNAPSHOT_DIR, "latest");
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
  "hostile-upstream": "9. Hostile upstream answers (malformed usage, leaked keys, huge answers, broken shapes; on chat, Messages, Responses, budgets and the cache)",
} as const;
export type SectionId = keyof typeof SECTIONS;

/** Collects one file's rows; a scenario not marked passed is written as failed. */
export class SectionRecorder {
  private readonly started = performance.now();
  private readonly rows = new Map<string, ScenarioRow>();
  /** The full names of the tests that recorded a row. */
  private readonly reportedBy = new Set<string>();
  readonly figures: Record<string, number | string> = {};

  constructor(
    private readonly id: SectionId,
    private readonly part?: string,
  ) {
    // Registered first, so it runs after the file's own afterAll hooks (vitest runs them as a stack):
    // by then every test has finished or been skipped, and the ones that never ran can be counted.
    // (vitest hands the file's task tree over as the second argument; the first must be a destructuring pattern)
    afterAll(({}, file) => {
      for (const row of rowsForUnreportedTests(file as unknown as TaskLike, this.reportedBy)) if (!this.rows.has(row.scenario)) this.rows.set(row.scenario, row);
      this.write();
    });
  }

  /** Declares a scenario as failed until `pass` is called with what was observed. */
  start(scenario: string, expected: string): { pass(observed: string): void } {
    const row: ScenarioRow = { scenario, expected, observed: "did not complete", passed: false };
    this.rows.set(scenario, row);
    const test = expect.getState().currentTestName;
    if (test) this.reportedBy.add(test);
    return {
      pass: (observed: string) => {
        row.observed = observed;
        row.passed = true;
      },
    };
  }

  /** Writes the section and rebuilds the table (also done after the file's last hook). */
  write(): void {
    const section: Section = {
      id: this.id,
      part: this.part,
      title: SECTIONS[this.id],
      finishedAt: new Date().toISOString(),
      durationMs: Math.round(performance.now() - this.started),
      scenarios: [...this.rows.values()],
      figures: this.figures,
      run: runInfo(fileURLToPath(new URL(".", import.meta.url))),
    };
    mkdirSync(SECTIONS_DIR, { recursive: true });
    // "." cannot be in an id or part, so section "hostile" part "upstream" never overwrites section "hostile-upstream"
    atomicWrite(join(SECTIONS_DIR, `${this.id}${this.part ? `.${this.part}` : ""}.json`), `${JSON.stringify(section, null, 2)}\n`);
    withLock(() => rebuild());
  }
}

function readParts(): Section[] {
  if (!existsSync(SECTIONS_DIR)) return [];
  return readdirSync(SECTIONS_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(join(SECTIONS_DIR, f), "utf8")) as Section);
}

function rebuild(): void {
  const results = buildResults(readParts(), SECTIONS);
  atomicWrite(join(RESULTS_DIR, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  atomicWrite(join(RESULTS_DIR, "results.md"), toMarkdown(results));
}

function atomicWrite(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** A directory lock: mkdir is atomic. A lock older than 10 s belonged to a worker that died. */
function withLock(fn: () => void): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
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
