// Types of report.mjs (plain JavaScript so that node runs the snapshot script without a build).

export interface RunInfo {
  commit: string;
  /** Tracked files differed from `commit` (null: git not available). */
  dirty: boolean | null;
  machine: { cores: number; cpu: string; memoryGiB: number; node: string; os: string };
  /** Set when the sections came from different commits. */
  mixed?: string[];
}

export interface ScenarioRow {
  scenario: string;
  /** The safe outcome the test asserts. */
  expected: string;
  /** What was measured (counts, times). */
  observed: string;
  passed: boolean;
}

export interface Section {
  id: string;
  /** Several test files may fill one section, each as a part. */
  part?: string;
  title: string;
  finishedAt: string;
  durationMs: number;
  scenarios: ScenarioRow[];
  /** Headline figures (for the READMEs), name -> value. */
  figures: Record<string, number | string>;
  run?: RunInfo;
}

export interface Results {
  summary: { scenarios: number; passed: number; failed: number; sectionsMissing: number; durationMs: number };
  run?: RunInfo;
  missing: { id: string; title: string }[];
  sections: Section[];
}

/** The parts of vitest's task tree that rowsForUnreportedTests reads. */
export interface TaskLike {
  type: string;
  name: string;
  suite?: TaskLike;
  tasks?: TaskLike[];
  result?: { state?: string; errors?: { message?: string }[] };
}

export function runInfo(cwd?: string): RunInfo;
export function mergeSections(parts: Section[], order: string[]): Section[];
export function buildResults(parts: Section[], sections: Record<string, string>): Results;
export function describeRun(run: RunInfo | undefined): string;
export function headline(results: Results): string;
export function toMarkdown(results: Results): string;
export function readmeBlock(results: Results, opts: { link: string; maxFigure?: number }): string;
export const BLOCK_BEGIN: string;
export const BLOCK_END: string;
export function replaceBlock(text: string, block: string, file?: string): string;
export function currentBlock(text: string): string | undefined;
export function rowsForUnreportedTests(file: TaskLike, reportedBy: Set<string>): ScenarioRow[];
