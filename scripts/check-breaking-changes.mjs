#!/usr/bin/env node
// Fails when the contract (openapi/) breaks clients compared with the last PUBLISHED contract, the committed
// baseline openapi/baseline/openapi.json. Git history plays no part: a breaking commit stays flagged whatever
// commits follow it, until the break is undone, declared (info.version's major number raised) or accepted on
// purpose by publishing a new baseline (`pnpm contract:publish`, see packages/contract/README.md).
// The rules are in packages/contract/scripts/breaking-changes.mjs.
//
//   node scripts/check-breaking-changes.mjs                      # openapi/ (working tree) vs the baseline
//   node scripts/check-breaking-changes.mjs --base <ref>         # openapi/ vs the spec at a commit (review aid,
//                                                                #   e.g. --base "$(git merge-base HEAD origin/main)")
//   node scripts/check-breaking-changes.mjs --old a.json --new b.json   # two bundled documents
//   --spec <openapi.yaml> and --baseline <file> override the default paths.
import { existsSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleSpec, bundleSpecAt, redocly, root } from "../packages/contract/scripts/bundle-spec.mjs";
import { declaresMajorChange, findBreakingChanges } from "../packages/contract/scripts/breaking-changes.mjs";

export const defaultBaseline = join(root, "openapi", "baseline", "openapi.json");
export const defaultSpec = join(root, "openapi", "openapi.yaml");

function main(argv) {
  const arg = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const spec = resolve(arg("--spec") ?? defaultSpec);
  const baseline = resolve(arg("--baseline") ?? defaultBaseline);
  let oldDoc;
  let newDoc;
  let label;
  try {
    if (arg("--old") && arg("--new")) {
      oldDoc = JSON.parse(readFileSync(arg("--old"), "utf8"));
      newDoc = JSON.parse(readFileSync(arg("--new"), "utf8"));
      label = `${arg("--old")} -> ${arg("--new")}`;
    } else if (arg("--base")) {
      oldDoc = bundleSpecAt(root, arg("--base"));
      newDoc = bundleSpec(spec);
      label = `the spec at ${arg("--base")} -> ${relative(process.cwd(), spec) || spec}`;
    } else {
      if (!existsSync(baseline)) {
        console.error(
          `breaking-changes: no published contract at ${baseline}, so nothing can be checked.\n` +
            "Publish the current contract on purpose with `pnpm contract:publish` and commit the file.",
        );
        return 1;
      }
      oldDoc = JSON.parse(readFileSync(baseline, "utf8"));
      newDoc = bundleSpec(spec);
      label = `published baseline ${relative(process.cwd(), baseline) || baseline} (version ${oldDoc.info?.version}) -> ${relative(process.cwd(), spec) || spec}`;
    }
  } catch (error) {
    console.error(`breaking-changes: cannot read the documents to compare: ${firstLine(error)}`);
    return 1;
  }
  const problems = findBreakingChanges(oldDoc, newDoc);
  if (problems.length === 0) {
    console.log(`breaking-changes: none (${label})`);
    return 0;
  }
  const list = problems.map((p) => `  - ${p}`).join("\n");
  if (declaresMajorChange(oldDoc, newDoc)) {
    console.log(`breaking-changes: ${problems.length}, allowed by the major version change ${oldDoc.info.version} -> ${newDoc.info.version} (${label}):\n${list}`);
    return 0;
  }
  console.error(
    `breaking-changes: ${problems.length} breaking change(s) in the contract (${label}):\n${list}\n` +
      "Keep the old shape, or bump info.version's major number (now " + `${newDoc.info?.version}) to declare the break, or, once the\n` +
      "change is reviewed and meant, accept it: `pnpm contract:publish --accept-breaking` (and commit openapi/baseline/).",
  );
  return 1;
}

function firstLine(error) {
  // redocly's stderr opens with notices in boxes; the first line naming a failure says what went wrong.
  const lines = String(error?.stderr ?? error?.message ?? error).split("\n").map((l) => l.trim()).filter((l) => l && !/^[╔║╚]/.test(l));
  return lines.find((l) => /fail|error|not found|no such/i.test(l)) ?? lines[0] ?? "unknown error";
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  if (!existsSync(redocly) && !process.argv.includes("--old")) {
    console.error(`breaking-changes: ${redocly} is missing; run pnpm install`);
    process.exit(1);
  }
  process.exit(main(process.argv.slice(2)));
}
