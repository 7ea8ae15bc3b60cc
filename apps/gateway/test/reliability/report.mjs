// The reliability report, shared by the test files (results.ts, under vitest) and the snapshot
// script (snapshot.mjs, plain node): which commit and machine produced a run, the table built
// from the sections, and the README blocks generated from it. Plain JavaScript so that node runs
// it without a build; types in report.d.mts.
import { execFileSync } from "node:child_process";
import { cpus, totalmem, platform, arch } from "node:os";

/** The commit and machine a run is made on; `dirty` when tracked files differ from that commit. */
export function runInfo(cwd = process.cwd()) {
  const git = (...args) => {
    try {
      return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      return undefined;
    }
  };
  const commit = git("rev-parse", "HEAD") ?? "unknown";
  const status = git("status", "--porcelain", "--untracked-files=no");
  const cores = cpus();
  return {
    commit,
    dirty: status === undefined ? null : status.length > 0,
    machine: {
      cores: cores.length,
      cpu: (cores[0]?.model ?? "unknown").replace(/\s+/g, " ").trim(),
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      os: `${platform()} ${arch()}`,
    },
  };
}

/** Sections in `order` (the SECTIONS map's keys), parts merged in part order; unknown ids dropped. */
export function mergeSections(parts, order) {
  const sorted = parts
    .filter((s) => order.includes(s.id))
    .sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id) || (a.part ?? "").localeCompare(b.part ?? ""));
  const merged = new Map();
  for (const p of sorted) {
    const m = merged.get(p.id);
    if (!m) merged.set(p.id, { ...p, part: undefined, scenarios: [...p.scenarios], figures: { ...p.figures }, runs: [p.run].filter(Boolean) });
    else {
      m.scenarios.push(...p.scenarios);
      Object.assign(m.figures, p.figures);
      m.durationMs += p.durationMs;
      if (p.run) m.runs.push(p.run);
      if (p.finishedAt > m.finishedAt) m.finishedAt = p.finishedAt;
    }
  }
  return [...merged.values()].map(({ runs, ...s }) => ({ ...s, run: runs[0] }));
}

/**
 * results.json: the summary, the run (commit and machine; `mixed` when sections came from different
 * commits), every section, and the sections that reported nothing (`missing`, counted as failed).
 */
export function buildResults(parts, sections) {
  const order = Object.keys(sections);
  const merged = mergeSections(parts, order).map((s) => ({ ...s, title: sections[s.id] ?? s.title }));
  const missing = order.filter((id) => !merged.some((s) => s.id === id));
  const scenarios = merged.flatMap((s) => s.scenarios);
  const runs = merged.map((s) => s.run).filter(Boolean);
  const commits = [...new Set(runs.map((r) => r.commit))];
  const run = runs[0] ? { ...runs[0], dirty: runs.some((r) => r.dirty), ...(commits.length > 1 ? { mixed: commits } : {}) } : undefined;
  const summary = {
    scenarios: scenarios.length,
    passed: scenarios.filter((s) => s.passed).length,
    failed: scenarios.filter((s) => !s.passed).length,
    sectionsMissing: missing.length,
    durationMs: merged.reduce((t, s) => t + s.durationMs, 0),
  };
  return { summary, run, missing: missing.map((id) => ({ id, title: sections[id] })), sections: merged };
}

const cell = (s) => String(s).replace(/\|/g, "\\|").replace(/\n/g, " ");
const short = (commit) => (commit ?? "unknown").slice(0, 12);

/** One line: which commit (and whether it had uncommitted changes) and machine produced the run. */
export function describeRun(run) {
  if (!run) return "an unrecorded commit and machine";
  const m = run.machine;
  const commit = run.mixed ? `mixed commits ${run.mixed.map(short).join(", ")}` : `commit ${short(run.commit)}`;
  return `${commit}${run.dirty ? " with uncommitted changes" : ""}; ${m.cores} x ${m.cpu}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}`;
}

export function headline(results) {
  const { summary } = results;
  const missing = summary.sectionsMissing ? `; ${summary.sectionsMissing} section${summary.sectionsMissing > 1 ? "s" : ""} reported nothing` : "";
  return `${summary.passed} of ${summary.scenarios} scenarios passed (${summary.failed} failed${missing})`;
}

export function toMarkdown(results) {
  const { summary, sections, missing } = results;
  const out = [
    "# Reliability results",
    "",
    "Written by the reliability suite (apps/gateway/test/reliability) on every run into `results/latest/` (not committed);",
    "`pnpm reliability:snapshot` copies the last run here. Do not edit by hand.",
    "",
    `**${headline(results)}**; the sections' own time adds up to ${(summary.durationMs / 1000).toFixed(1)} s (files run in parallel).`,
    "",
    `Produced by ${describeRun(results.run)}.`,
    "",
  ];
  for (const m of missing) out.push(`## ${m.title}`, "", "**No results: its test file did not run or did not report (counted as failed).**", "");
  for (const s of sections) {
    out.push(`## ${s.title}`, "", `${s.scenarios.filter((r) => r.passed).length}/${s.scenarios.length} passed in ${(s.durationMs / 1000).toFixed(1)} s, ${s.finishedAt}.`, "");
    out.push("| scenario | expected safe outcome | observed | result |", "| --- | --- | --- | --- |");
    for (const r of s.scenarios) out.push(`| ${cell(r.scenario)} | ${cell(r.expected)} | ${cell(r.observed)} | ${r.passed ? "pass" : "**FAIL**"} |`);
    const figures = Object.entries(s.figures);
    if (figures.length) {
      out.push("", "| figure | value |", "| --- | --- |");
      for (const [k, v] of figures) out.push(`| ${cell(k)} | ${cell(v)} |`);
    }
    out.push("");
  }
  return `${out.join("\n")}`;
}

const date = (iso) => (iso ?? "").slice(0, 10);

/**
 * The generated part of a README (between the reliability markers): the headline, the commit and
 * machine, and one row per section with its pass count and figures. `link` is the path from the
 * README to the committed results.md; `maxFigure` leaves out longer figure values (the root README).
 */
export function readmeBlock(results, { link, maxFigure = Infinity }) {
  const last = results.sections.reduce((t, s) => (s.finishedAt > t ? s.finishedAt : t), "");
  const out = [
    `Last committed run (${date(last)}, made on ${describeRun(results.run)}): **${headline(results)}**. Every row of [the table](${link}) is asserted, not just measured.`,
    "",
    "| section | scenarios passed | figures |",
    "| --- | --- | --- |",
  ];
  for (const m of results.missing) out.push(`| ${cell(m.title)} | no results (counted as failed) | |`);
  for (const s of results.sections) {
    const figures = Object.entries(s.figures)
      .filter(([, v]) => String(v).length <= maxFigure)
      .map(([k, v]) => `${cell(k)}: ${cell(v)}`)
      .join("; ");
    out.push(`| ${cell(s.title)} | ${s.scenarios.filter((r) => r.passed).length} of ${s.scenarios.length} | ${figures} |`);
  }
  return out.join("\n");
}

export const BLOCK_BEGIN = "<!-- reliability:begin (generated by pnpm reliability:snapshot from results/results.json; do not edit) -->";
export const BLOCK_END = "<!-- reliability:end -->";

/** `text` with the block between the markers replaced; throws when the markers are missing. */
export function replaceBlock(text, block, file = "README") {
  const begin = text.indexOf(BLOCK_BEGIN);
  const end = text.indexOf(BLOCK_END);
  if (begin < 0 || end < begin) throw new Error(`${file}: the reliability markers are missing (${BLOCK_BEGIN} ... ${BLOCK_END})`);
  return `${text.slice(0, begin + BLOCK_BEGIN.length)}\n${block}\n${text.slice(end)}`;
}

/** The block currently between the markers, or undefined. */
export function currentBlock(text) {
  const begin = text.indexOf(BLOCK_BEGIN);
  const end = text.indexOf(BLOCK_END);
  if (begin < 0 || end < begin) return undefined;
  return text.slice(begin + BLOCK_BEGIN.length, end).trim();
}

/** The test's full name as `expect.getState().currentTestName` gives it: its describes and itself, joined by " > ". */
function fullName(task) {
  const names = [];
  for (let t = task; t && !("filepath" in t); t = t.suite) names.unshift(t.name); // up to, not including, the file
  return names.join(" > ");
}

/** The error of a suite's own hooks (a beforeAll that threw), if any. */
const hookError = (suite) => suite.result?.errors?.[0]?.message;

/**
 * Rows for the tests of a finished file (vitest's file task) that did not pass and recorded no row
 * themselves: a test whose setup failed (a beforeAll threw, e.g. redis-server missing) never ran, and
 * counts as a failed scenario instead of silently leaving the table. Tests filtered out are not rows.
 */
export function rowsForUnreportedTests(file, reportedBy) {
  const rows = [];
  const row = (task, observed) => rows.push({ scenario: fullName(task), expected: "(the test's own scenario)", observed, passed: false });
  const visit = (task, setupError) => {
    if (task.type === "suite") {
      for (const child of task.tasks ?? []) visit(child, setupError ?? hookError(task));
      return;
    }
    if (task.result?.state === "pass" || reportedBy.has(fullName(task))) return;
    if (task.result?.state === "fail") row(task, `failed before recording: ${firstLine(task.result.errors?.[0]?.message)}`);
    else if (setupError) row(task, `could not start: ${firstLine(setupError)}`);
  };
  visit(file, undefined);
  return rows;
}

const firstLine = (s) => String(s ?? "unknown error").split("\n")[0].slice(0, 300);
