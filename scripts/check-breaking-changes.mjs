#!/usr/bin/env node
// Fails when the contract (openapi/) breaks clients compared with a previous commit: a removed operation, a
// removed response field, a removed or renamed request field, a newly required request field or parameter, or a
// narrowed type, enum or range. A change of info.version's major number declares the break and passes.
//
//   node scripts/check-breaking-changes.mjs                     # working tree vs the base commit (below)
//   node scripts/check-breaking-changes.mjs --base <ref>        # working tree vs <ref>
//   node scripts/check-breaking-changes.mjs --old a.json --new b.json   # two bundled documents
//
// The base is $RUNESTONE_BREAKING_BASE, else the merge-base with main when HEAD is on another branch, else HEAD~1
// (the previous commit on main). With no such commit (a first commit, a shallow clone) there is nothing to
// compare against, and the check passes.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** The breaking changes from `oldDoc` to `newDoc` (both bundled OpenAPI 3.0 documents), as sentences. */
export function findBreakingChanges(oldDoc, newDoc) {
  const problems = [];
  const resolveOld = resolver(oldDoc);
  const resolveNew = resolver(newDoc);
  for (const [path, oldItem] of Object.entries(oldDoc.paths ?? {})) {
    const newItem = newDoc.paths?.[path];
    for (const method of METHODS) {
      const oldOp = oldItem?.[method];
      if (!oldOp) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const newOp = newItem?.[method];
      if (!newOp) {
        problems.push(`${where}: the operation was removed`);
        continue;
      }
      const ctx = { problems, resolveOld, resolveNew, seen: new Set() };
      compareParameters(ctx, where, [...(oldItem.parameters ?? []), ...(oldOp.parameters ?? [])], [
        ...(newItem.parameters ?? []),
        ...(newOp.parameters ?? []),
      ]);
      compareRequestBody(ctx, where, oldOp.requestBody, newOp.requestBody);
      compareResponses(ctx, where, oldOp.responses ?? {}, newOp.responses ?? {});
    }
  }
  return problems;
}

/** The major number of a semver-ish version string (`0.1.0` -> 0); NaN when there is none. */
export function majorOf(version) {
  const m = /^v?(\d+)/.exec(String(version ?? ""));
  return m ? Number(m[1]) : Number.NaN;
}

/** Whether `newDoc` declares a new major version, which allows breaking changes. */
export function declaresMajorChange(oldDoc, newDoc) {
  const before = majorOf(oldDoc.info?.version);
  const after = majorOf(newDoc.info?.version);
  return Number.isFinite(before) && Number.isFinite(after) && after > before;
}

function resolver(doc) {
  return (node) => {
    let current = node;
    for (let hops = 0; current && typeof current.$ref === "string" && hops < 50; hops++) {
      const ref = current.$ref;
      if (!ref.startsWith("#/")) return current;
      current = ref
        .slice(2)
        .split("/")
        .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
        .reduce((at, key) => (at == null ? undefined : at[key]), doc);
    }
    return current;
  };
}

function compareParameters(ctx, where, oldParams, newParams) {
  const key = (p) => `${p.in}:${p.name}`;
  const index = (params, resolve) => new Map(params.map((p) => resolve(p)).filter(Boolean).map((p) => [key(p), p]));
  const before = index(oldParams, ctx.resolveOld);
  const after = index(newParams, ctx.resolveNew);
  for (const [k, oldP] of before) {
    const newP = after.get(k);
    const label = `${where}: ${oldP.in} parameter \`${oldP.name}\``;
    if (!newP) {
      ctx.problems.push(`${label} was removed`);
      continue;
    }
    if (newP.required && !oldP.required) ctx.problems.push(`${label} became required`);
    compareSchema(ctx, label, oldP.schema, newP.schema, "request");
  }
  for (const [k, newP] of after) {
    if (!before.has(k) && newP.required) ctx.problems.push(`${where}: new required ${newP.in} parameter \`${newP.name}\``);
  }
}

function compareRequestBody(ctx, where, oldBodyRef, newBodyRef) {
  const oldBody = ctx.resolveOld(oldBodyRef);
  const newBody = ctx.resolveNew(newBodyRef);
  if (!oldBody) {
    if (newBody?.required) ctx.problems.push(`${where}: a request body became required`);
    return;
  }
  if (!newBody) return; // the server ignores what clients keep sending
  if (newBody.required && !oldBody.required) ctx.problems.push(`${where}: the request body became required`);
  for (const [type, oldMedia] of Object.entries(oldBody.content ?? {})) {
    const newMedia = newBody.content?.[type];
    if (!newMedia) {
      ctx.problems.push(`${where}: the request body no longer accepts ${type}`);
      continue;
    }
    compareSchema(ctx, `${where} request body`, oldMedia.schema, newMedia.schema, "request");
  }
}

function compareResponses(ctx, where, oldResponses, newResponses) {
  for (const [status, oldRef] of Object.entries(oldResponses)) {
    if (!/^2/.test(status)) continue; // error answers may change shape without breaking a success path
    const oldRes = ctx.resolveOld(oldRef);
    const newRes = ctx.resolveNew(newResponses[status]);
    if (!newRes) {
      ctx.problems.push(`${where}: the ${status} response was removed`);
      continue;
    }
    for (const [type, oldMedia] of Object.entries(oldRes.content ?? {})) {
      const newMedia = newRes.content?.[type];
      if (!newMedia) {
        ctx.problems.push(`${where}: the ${status} response no longer offers ${type}`);
        continue;
      }
      compareSchema(ctx, `${where} ${status} response`, oldMedia.schema, newMedia.schema, "response");
    }
  }
}

/** A schema with its $ref resolved and its allOf members merged (properties and required lists). */
function flatten(schema, resolve, depth = 0) {
  const s = resolve(schema);
  if (!s || typeof s !== "object" || !Array.isArray(s.allOf) || depth > 20) return s ?? {};
  const merged = { ...s, properties: { ...(s.properties ?? {}) }, required: [...(s.required ?? [])] };
  delete merged.allOf;
  for (const part of s.allOf) {
    const p = flatten(part, resolve, depth + 1);
    if (p.type && !merged.type) merged.type = p.type;
    Object.assign(merged.properties, p.properties ?? {});
    merged.required.push(...(p.required ?? []));
    if (p.additionalProperties === false) merged.additionalProperties = false;
  }
  return merged;
}

function typesOf(s) {
  if (s.type) return [s.type];
  if (s.properties) return ["object"];
  return undefined; // unconstrained, or only constrained through oneOf/anyOf
}

/**
 * Compares two schemas in one direction. For what clients send ("request"), the new schema must accept everything
 * the old one did. For what clients receive ("response"), every field they could read must still be there with
 * the same type.
 */
function compareSchema(ctx, where, oldRaw, newRaw, direction) {
  if (!oldRaw || !newRaw) return;
  // A pair of named schemas is compared once per operation: this ends recursion and reports a shared change once.
  if (oldRaw.$ref || newRaw.$ref) {
    const pair = `${direction}|${oldRaw.$ref}|${newRaw.$ref}`;
    if (ctx.seen.has(pair)) return;
    ctx.seen.add(pair);
  }
  const oldS = flatten(oldRaw, ctx.resolveOld);
  const newS = flatten(newRaw, ctx.resolveNew);
  const say = (what) => ctx.problems.push(`${where}: ${what}`);

  const oldTypes = typesOf(oldS);
  const newTypes = typesOf(newS);
  if (oldTypes && newTypes && !oldTypes.every((t) => newTypes.includes(t) || (t === "integer" && newTypes.includes("number") && direction === "request"))) {
    say(`the type changed from ${oldTypes.join("|")} to ${newTypes.join("|")}`);
    return;
  }
  if (!oldTypes && newTypes && direction === "request" && !oldS.oneOf && !oldS.anyOf) {
    say(`the type was narrowed to ${newTypes.join("|")}`);
    return;
  }

  if (direction === "request") {
    if (Array.isArray(newS.enum)) {
      const removed = Array.isArray(oldS.enum) ? oldS.enum.filter((v) => !newS.enum.includes(v)) : ["(any value)"];
      if (removed.length) say(`the enum no longer accepts ${removed.map((v) => JSON.stringify(v)).join(", ")}`);
    }
    if (oldS.nullable && !newS.nullable) say("null is no longer accepted");
    narrowedBound(say, "minimum", oldS.minimum, newS.minimum, (a, b) => b > a);
    narrowedBound(say, "maximum", oldS.maximum, newS.maximum, (a, b) => b < a);
    narrowedBound(say, "minLength", oldS.minLength, newS.minLength, (a, b) => b > a);
    narrowedBound(say, "maxLength", oldS.maxLength, newS.maxLength, (a, b) => b < a);
    narrowedBound(say, "minItems", oldS.minItems, newS.minItems, (a, b) => b > a);
    narrowedBound(say, "maxItems", oldS.maxItems, newS.maxItems, (a, b) => b < a);
    if (oldS.additionalProperties !== false && newS.additionalProperties === false && (oldS.properties || newS.properties)) {
      say("unknown fields are no longer accepted (additionalProperties: false)");
    }
    for (const name of newS.required ?? []) {
      if (!(oldS.required ?? []).includes(name)) say(`the field \`${name}\` became required`);
    }
    for (const name of Object.keys(oldS.properties ?? {})) {
      if (!(name in (newS.properties ?? {}))) say(`the field \`${name}\` was removed or renamed`);
    }
  } else {
    for (const name of Object.keys(oldS.properties ?? {})) {
      if (!(name in (newS.properties ?? {}))) say(`the field \`${name}\` was removed`);
      else if ((oldS.required ?? []).includes(name) && !(newS.required ?? []).includes(name)) {
        say(`the field \`${name}\` is no longer always present`);
      }
    }
  }

  for (const [name, oldProp] of Object.entries(oldS.properties ?? {})) {
    const newProp = newS.properties?.[name];
    if (newProp) compareSchema(ctx, `${where} \`${name}\``, oldProp, newProp, direction);
  }
  if (oldS.items && newS.items) compareSchema(ctx, `${where}[]`, oldS.items, newS.items, direction);
  for (const kind of ["oneOf", "anyOf"]) {
    const before = oldS[kind];
    const after = newS[kind];
    if (!Array.isArray(before) || !Array.isArray(after)) continue;
    if (direction === "request" && after.length < before.length) say(`${kind} lost ${before.length - after.length} alternative(s)`);
    // Alternatives are matched by position: good enough for a spec edited by appending.
    before.forEach((alt, i) => {
      if (after[i]) compareSchema(ctx, `${where} (${kind}[${i}])`, alt, after[i], direction);
    });
  }
}

function narrowedBound(say, keyword, before, after, narrower) {
  if (after === undefined) return;
  if (before === undefined || narrower(before, after)) say(`${keyword} narrowed from ${before ?? "none"} to ${after}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Command line

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const redocly = join(root, "packages", "contract", "node_modules", ".bin", "redocly");

function git(args) {
  try {
    return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

function baseRef(explicit) {
  if (explicit) return git(["rev-parse", "--verify", "--quiet", `${explicit}^{commit}`]);
  if (!git(["rev-parse", "--verify", "--quiet", "HEAD"])) return undefined;
  const branch = git(["rev-parse", "--abbrev-ref", "HEAD"]);
  if (branch !== "main") {
    for (const main of ["origin/main", "main"]) {
      const mb = git(["merge-base", "HEAD", main]);
      if (mb && mb !== git(["rev-parse", "HEAD"])) return mb;
    }
  }
  return git(["rev-parse", "--verify", "--quiet", "HEAD~1^{commit}"]);
}

function bundle(entry, out) {
  execFileSync(redocly, ["bundle", entry, "--output", out, "--ext", "json"], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
  });
  return JSON.parse(readFileSync(out, "utf8"));
}

function main(argv) {
  const arg = (name) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  let oldDoc;
  let newDoc;
  let label;
  if (arg("--old") && arg("--new")) {
    oldDoc = JSON.parse(readFileSync(arg("--old"), "utf8"));
    newDoc = JSON.parse(readFileSync(arg("--new"), "utf8"));
    label = `${arg("--old")} -> ${arg("--new")}`;
  } else {
    const wanted = arg("--base") ?? process.env.RUNESTONE_BREAKING_BASE;
    const base = baseRef(wanted);
    if (!base) {
      console.log(`breaking-changes: no ${wanted ?? "previous commit"} to compare against; nothing to check`);
      return 0;
    }
    const work = mkdtempSync(join(tmpdir(), "runestone-breaking-"));
    try {
      if (git(["cat-file", "-t", `${base}:openapi/openapi.yaml`]) !== "blob") {
        console.log(`breaking-changes: ${base.slice(0, 10)} has no openapi/openapi.yaml; nothing to check`);
        return 0;
      }
      execFileSync("sh", ["-c", `git archive --format=tar "${base}" openapi | tar -x -C "${work}"`], { cwd: root });
      try {
        oldDoc = bundle(join(work, "openapi", "openapi.yaml"), join(work, "old.json"));
      } catch (error) {
        console.log(`breaking-changes: the spec at ${base.slice(0, 10)} does not bundle (${firstLine(error)}); nothing to compare`);
        return 0;
      }
      newDoc = bundle(join(root, "openapi", "openapi.yaml"), join(work, "new.json"));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    label = `${base.slice(0, 10)} -> working tree`;
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
      `Keep the old shape, or bump info.version's major number (now ${newDoc.info?.version}) to declare the break.`,
  );
  return 1;
}

function firstLine(error) {
  return String(error?.stderr ?? error?.message ?? error).split("\n").find((l) => l.trim()) ?? "unknown error";
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (!existsSync(redocly) && !process.argv.includes("--old")) {
    console.error(`breaking-changes: ${redocly} is missing; run pnpm install`);
    process.exit(1);
  }
  process.exit(main(process.argv.slice(2)));
}
