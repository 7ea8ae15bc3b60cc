#!/usr/bin/env node
// Publishes the contract: writes the bundled spec to openapi/baseline/openapi.json, the document the
// breaking-change check (lint) compares every later change with. Run it on purpose only: on a release, or after a
// reviewed change that the check flags and that is meant (then with --accept-breaking). Commit the file it writes.
//
//   pnpm contract:publish                     # publish openapi/ as it is in the working tree
//   pnpm contract:publish --ref <commit>      # publish the spec as it was at a commit
//   pnpm contract:publish --accept-breaking   # also when it breaks clients of the current baseline (after review)
//   --spec <openapi.yaml> and --baseline <file> override the default paths.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { baselineText, bundleSpec, bundleSpecAt, root } from "../packages/contract/scripts/bundle-spec.mjs";
import { declaresMajorChange, findBreakingChanges } from "../packages/contract/scripts/breaking-changes.mjs";
import { defaultBaseline, defaultSpec } from "./check-breaking-changes.mjs";

const argv = process.argv.slice(2);
const arg = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const spec = resolve(arg("--spec") ?? defaultSpec);
const baseline = resolve(arg("--baseline") ?? defaultBaseline);
const shown = (path) => relative(process.cwd(), path) || path;
const source = arg("--ref") ? `the spec at ${arg("--ref")}` : shown(spec);

console.log(`contract:publish: making ${source} the published contract (${shown(baseline)}), the baseline the breaking-change check compares with`);
const doc = arg("--ref") ? bundleSpecAt(root, arg("--ref")) : bundleSpec(spec);
const text = baselineText(doc);
const previous = existsSync(baseline) ? readFileSync(baseline, "utf8") : undefined;
if (previous === text) {
  console.log("contract:publish: the baseline already holds this contract; nothing written");
  process.exit(0);
}
if (previous !== undefined) {
  const before = JSON.parse(previous);
  const problems = findBreakingChanges(before, doc);
  const list = problems.map((p) => `  - ${p}`).join("\n");
  if (problems.length && !declaresMajorChange(before, doc) && !argv.includes("--accept-breaking")) {
    console.error(
      `contract:publish: ${problems.length} change(s) break clients of the published contract:\n${list}\n` +
        "Nothing written. Once they are reviewed and meant, run again with --accept-breaking.",
    );
    process.exit(1);
  }
  if (problems.length) console.log(`contract:publish: accepting ${problems.length} breaking change(s):\n${list}`);
}
mkdirSync(dirname(baseline), { recursive: true });
writeFileSync(baseline, text);
console.log(
  `contract:publish: wrote ${shown(baseline)} (info.version ${doc.info?.version}). Commit it:\n` +
    `  git add ${shown(baseline)} && git commit -m "contract: publish ${doc.info?.version}" -- ${shown(baseline)}`,
);
