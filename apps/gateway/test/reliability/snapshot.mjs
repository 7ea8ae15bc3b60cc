#!/usr/bin/env node
// pnpm reliability:snapshot: commits a reliability run on purpose. Copies the last run
// (results/latest/results.json, written by every run of the suite, not tracked) to the committed
// results/results.json and results.md, and regenerates the figures in this folder's README and the
// root README (between the reliability markers) from it, so the READMEs never drift from the table.
// The run records its commit and machine; a run that left sections without results is refused
// (--partial takes it anyway, with those sections shown as failed).
//   node apps/gateway/test/reliability/snapshot.mjs [--partial] [--from DIR] [--to DIR] [--readme FILE=LINK ...]
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describeRun, headline, readmeBlock, replaceBlock, toMarkdown } from "./report.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "../../../..");

function parseArgs(argv) {
  const opts = { partial: false, from: join(here, "results/latest"), to: join(here, "results"), readmes: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--partial") opts.partial = true;
    else if (a === "--from") opts.from = argv[++i];
    else if (a === "--to") opts.to = argv[++i];
    else if (a === "--readme") {
      const [file, link, max] = argv[++i].split("=");
      opts.readmes.push({ file, link, maxFigure: max ? Number(max) : undefined });
    } else throw new Error(`unknown argument ${a}`);
  }
  if (opts.readmes.length === 0) {
    opts.readmes.push({ file: join(here, "README.md"), link: "results/results.md" });
    // The root README keeps to short figures; the full table is one click away.
    opts.readmes.push({ file: join(root, "README.md"), link: "apps/gateway/test/reliability/results/results.md", maxFigure: 40 });
  }
  return opts;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const source = join(opts.from, "results.json");
  if (!existsSync(source)) {
    console.error(`reliability snapshot: no run to take (${source} is missing): run pnpm test:reliability first`);
    return 1;
  }
  const results = JSON.parse(readFileSync(source, "utf8"));
  if (results.missing.length > 0 && !opts.partial) {
    console.error(
      `reliability snapshot: refused: ${results.missing.map((m) => m.title).join(", ")} reported nothing in the last run; run the whole suite (pnpm test:reliability), or pass --partial to commit them as failed`,
    );
    return 1;
  }
  if (results.run?.mixed) console.error(`reliability snapshot: warning: the sections come from different commits (${results.run.mixed.join(", ")}); run the whole suite for one`);
  if (results.summary.failed > 0) console.error(`reliability snapshot: warning: ${results.summary.failed} scenarios failed; the snapshot records them as failed`);
  writeFileSync(join(opts.to, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(opts.to, "results.md"), toMarkdown(results));
  for (const r of opts.readmes) writeFileSync(r.file, replaceBlock(readFileSync(r.file, "utf8"), readmeBlock(results, r), r.file));
  const wrote = [join(opts.to, "results.json"), join(opts.to, "results.md"), ...opts.readmes.map((r) => r.file)].map((f) => relative(process.cwd(), f));
  console.log(`reliability snapshot: ${headline(results)}; ${describeRun(results.run)}\nwrote ${wrote.join(", ")}: review and commit them`);
  return 0;
}

process.exit(main());
