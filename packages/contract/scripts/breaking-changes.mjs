// Finds the changes between two bundled OpenAPI 3.0 documents that break existing clients. Pure: no files, no git.
// Used by scripts/check-breaking-changes.mjs (lint) and scripts/publish-contract.mjs (baseline updates).
//
// Direction rules (see packages/contract/README.md):
// - what clients SEND (parameters, request bodies) may only widen: a removed field or alternative, a newly required
//   field or parameter, a new pattern/format, a tighter bound, a removed enum value, a changed type or null no
//   longer accepted all break them;
// - what clients RECEIVE (responses) may only narrow: a removed field, a field no longer always present, a field that
//   may now be null, a new enum value, a wider or removed type (free-form), a new oneOf/anyOf alternative, a removed
//   status or header all break them;
// - a removed operation, a newly required parameter and a changed security requirement break every client.

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** The breaking changes from `oldDoc` to `newDoc` (both bundled OpenAPI documents), as sentences. */
export function findBreakingChanges(oldDoc, newDoc) {
  const problems = [];
  const resolveOld = resolver(oldDoc);
  const resolveNew = resolver(newDoc);
  // Paths match by template shape, so renaming `{id}` to `{key_id}` is not a removal.
  const newPaths = new Map(Object.entries(newDoc.paths ?? {}).map(([p, item]) => [templateOf(p), [p, item]]));
  for (const [path, oldItemRaw] of Object.entries(oldDoc.paths ?? {})) {
    const oldItem = resolveOld(oldItemRaw);
    const [newPath, newItemRaw] = newPaths.get(templateOf(path)) ?? [path, undefined];
    const newItem = resolveNew(newItemRaw);
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
      compareSecurity(ctx, where, oldDoc, newDoc, oldOp, newOp);
      compareParameters(ctx, where, [...(oldItem.parameters ?? []), ...(oldOp.parameters ?? [])], [
        ...(newItem.parameters ?? []),
        ...(newOp.parameters ?? []),
      ], path, newPath);
      compareRequestBody(ctx, where, oldOp.requestBody, newOp.requestBody);
      compareResponses(ctx, where, oldOp.responses ?? {}, newOp.responses ?? {});
    }
  }
  return [...new Set(problems)];
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

function templateOf(path) {
  return path.replace(/\{[^}]*\}/g, "{}");
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

// --- security -----------------------------------------------------------------------------------------------------

/**
 * A security list is a choice: a client satisfying any one requirement is let in (`{}` = anonymous). Every way in
 * that worked before must still work, with the same scheme definitions (header name, type, bearer...).
 */
function compareSecurity(ctx, where, oldDoc, newDoc, oldOp, newOp) {
  const requirements = (doc, op) => {
    const list = op.security ?? doc.security ?? [];
    return list.length === 0 ? [{}] : list;
  };
  const key = (req) =>
    JSON.stringify(Object.keys(req).sort().map((name) => [name, [...(req[name] ?? [])].sort()]));
  const newReqs = requirements(newDoc, newOp);
  const newKeys = new Set(newReqs.map(key));
  const scheme = (doc, name) => {
    const s = doc.components?.securitySchemes?.[name];
    if (!s) return undefined;
    const { description, ...rest } = s;
    return JSON.stringify(rest, Object.keys(rest).sort());
  };
  if (newKeys.has(key({}))) return; // anonymous access now: nothing a client did can be refused
  for (const req of requirements(oldDoc, oldOp)) {
    const label = Object.keys(req).length ? Object.keys(req).sort().join(" + ") : "no credentials";
    if (!newKeys.has(key(req))) {
      ctx.problems.push(`${where}: security changed: clients authenticating with ${label} are no longer accepted`);
      continue;
    }
    for (const name of Object.keys(req)) {
      if (scheme(oldDoc, name) !== scheme(newDoc, name)) {
        ctx.problems.push(`${where}: security changed: the security scheme \`${name}\` was redefined`);
      }
    }
  }
}

// --- parameters, bodies, responses --------------------------------------------------------------------------------

function compareParameters(ctx, where, oldParams, newParams, oldPath, newPath) {
  // Path parameters are matched by their position in the template (a rename is invisible to clients), the others
  // by location and name.
  const key = (p, path) => {
    const position = p.in === "path" ? [...path.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]).indexOf(p.name) : -1;
    return position >= 0 ? `path:#${position}` : `${p.in}:${p.name}`;
  };
  const index = (params, resolve, path) =>
    new Map(params.map((p) => resolve(p)).filter(Boolean).map((p) => [key(p, path), p]));
  const before = index(oldParams, ctx.resolveOld, oldPath);
  const after = index(newParams, ctx.resolveNew, newPath);
  const style = (p) => p.style ?? (p.in === "query" || p.in === "cookie" ? "form" : "simple");
  const explode = (p) => p.explode ?? style(p) === "form";
  for (const [k, oldP] of before) {
    const newP = after.get(k);
    const label = `${where}: ${oldP.in} parameter \`${oldP.name}\``;
    if (!newP) {
      ctx.problems.push(`${label} was removed`);
      continue;
    }
    if (newP.required && !oldP.required) ctx.problems.push(`${label} became required`);
    if (style(oldP) !== style(newP) || explode(oldP) !== explode(newP)) {
      ctx.problems.push(`${label} is serialized differently (style/explode changed)`);
    }
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
    // A client that handles a status breaks when the server answers that situation differently; a range (4XX)
    // declared instead still covers it.
    const newRef = newResponses[status] ?? newResponses[`${status[0]}XX`] ?? newResponses[`${status[0]}xx`];
    const oldRes = ctx.resolveOld(oldRef);
    const newRes = ctx.resolveNew(newRef);
    if (!newRes) {
      ctx.problems.push(`${where}: the ${status} response was removed`);
      continue;
    }
    for (const name of Object.keys(oldRes.headers ?? {})) {
      if (!Object.keys(newRes.headers ?? {}).some((n) => n.toLowerCase() === name.toLowerCase())) {
        ctx.problems.push(`${where}: the ${status} response no longer has the \`${name}\` header`);
      }
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

// --- schemas ------------------------------------------------------------------------------------------------------

/** A schema with its $ref resolved and its allOf members merged (properties, required lists, unions). */
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
    if (p.nullable) merged.nullable = true;
    for (const kind of ["oneOf", "anyOf", "enum", "items", "pattern", "format"]) {
      if (p[kind] !== undefined && merged[kind] === undefined) merged[kind] = p[kind];
    }
  }
  if (Object.keys(merged.properties).length === 0) delete merged.properties;
  if (merged.required.length === 0) delete merged.required;
  return merged;
}

const enumValues = (s) => (Array.isArray(s.enum) ? s.enum.filter((v) => v !== null) : undefined);

/** Only null: `type: "null"`, or 3.0's `{nullable: true, enum: [null]}`. */
function nullOnly(s) {
  return s.type === "null" || (Array.isArray(s.enum) && s.enum.length > 0 && s.enum.every((v) => v === null));
}

function nullable(s) {
  return s.nullable === true || nullOnly(s) || (Array.isArray(s.type) && s.type.includes("null")) ||
    (Array.isArray(s.enum) && s.enum.includes(null));
}

/** The non-null types a schema allows; undefined when nothing constrains the type (or only a oneOf/anyOf does). */
function typesOf(s) {
  if (s.type) return [s.type].flat().filter((t) => t !== "null");
  if (s.properties) return ["object"];
  if (s.items) return ["array"];
  const values = enumValues(s);
  if (values?.length) {
    return [...new Set(values.map((v) => (Array.isArray(v) ? "array" : typeof v === "number" ? "number" : typeof v)))];
  }
  return undefined;
}

const alternativesOf = (s) => (Array.isArray(s.oneOf) ? ["oneOf", s.oneOf] : Array.isArray(s.anyOf) ? ["anyOf", s.anyOf] : undefined);

/** Whether a schema accepts any value at all (`{}`, or only a description). */
function freeForm(s) {
  return !typesOf(s) && !alternativesOf(s) && !nullOnly(s) && s.not === undefined;
}

/** `t` is allowed by the type list `types` (an integer is a number). */
const allows = (types, t) => types.includes(t) || (t === "integer" && types.includes("number"));

/**
 * Compares two schemas in one direction. For what clients send ("request"), the new schema must accept everything
 * the old one did. For what clients receive ("response"), the new schema must allow nothing the old one did not.
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
  const request = direction === "request";

  const oldUnion = alternativesOf(oldS);
  const newUnion = alternativesOf(newS);
  if (oldUnion || newUnion) {
    compareAlternatives(ctx, where, oldS, newS, direction);
    // One side plain: it took part as a one-alternative union, with the whole schema. Nothing more to compare.
    if (!oldUnion || !newUnion) return;
  }

  if (nullOnly(oldS) || nullOnly(newS)) {
    if (nullOnly(oldS) && nullOnly(newS)) return;
    if (request && nullOnly(oldS) && !nullable(newS)) say("null is no longer accepted");
    if (request && nullOnly(newS)) say("only null is accepted now");
    if (!request && nullOnly(oldS)) say("a value other than null may now be returned");
    if (!request && nullOnly(newS) && !nullable(oldS)) say("may now be null");
    return;
  }

  const oldTypes = typesOf(oldS);
  const newTypes = typesOf(newS);
  if (oldTypes && newTypes) {
    const lost = request ? oldTypes.filter((t) => !allows(newTypes, t)) : newTypes.filter((t) => !allows(oldTypes, t));
    if (lost.length) {
      say(`the type changed from ${oldTypes.join("|")} to ${newTypes.join("|")}`);
      return;
    }
  } else if (!oldTypes && newTypes && request && !oldUnion) {
    say(`the type was narrowed to ${newTypes.join("|")}`);
    return;
  } else if (oldTypes && !newTypes && !request && !newUnion) {
    say(`the schema was loosened to any value (it was ${oldTypes.join("|")})`);
    return;
  }

  if (request && nullable(oldS) && !nullable(newS)) say("null is no longer accepted");
  if (!request && !nullable(oldS) && nullable(newS)) say("may now be null");

  const oldEnum = enumValues(oldS);
  const newEnum = enumValues(newS);
  const list = (values) => values.map((v) => JSON.stringify(v)).join(", ");
  if (request && newEnum) {
    const removed = oldEnum ? oldEnum.filter((v) => !newEnum.includes(v)) : ["(any value)"];
    if (removed.length) say(`the enum no longer accepts ${oldEnum ? list(removed) : "any value outside it"}`);
  }
  if (!request && oldEnum) {
    if (!newEnum) say("the enum was removed: any value may now be returned");
    else {
      const added = newEnum.filter((v) => !oldEnum.includes(v));
      if (added.length) say(`the enum may now return ${list(added)}`);
    }
  }

  if (request) {
    if (oldEnum?.length) {
      // The old schema accepted only its enum values: a new constraint breaks clients only if one of them fails it.
      const refused = oldEnum.filter((v) => !satisfies(v, newS));
      if (refused.length) say(`a new constraint refuses ${list(refused)}`);
    } else {
      narrowedBound(say, "minimum", oldS.minimum, newS.minimum, (a, b) => b > a);
      narrowedBound(say, "maximum", oldS.maximum, newS.maximum, (a, b) => b < a);
      narrowedBound(say, "minLength", oldS.minLength, newS.minLength, (a, b) => b > a);
      narrowedBound(say, "maxLength", oldS.maxLength, newS.maxLength, (a, b) => b < a);
      narrowedBound(say, "minItems", oldS.minItems, newS.minItems, (a, b) => b > a);
      narrowedBound(say, "maxItems", oldS.maxItems, newS.maxItems, (a, b) => b < a);
      narrowedBound(say, "minProperties", oldS.minProperties, newS.minProperties, (a, b) => b > a);
      narrowedBound(say, "maxProperties", oldS.maxProperties, newS.maxProperties, (a, b) => b < a);
      if (newS.exclusiveMinimum === true && oldS.exclusiveMinimum !== true) say("the minimum became exclusive");
      if (newS.exclusiveMaximum === true && oldS.exclusiveMaximum !== true) say("the maximum became exclusive");
      if (newS.pattern !== undefined && newS.pattern !== oldS.pattern) {
        say(oldS.pattern === undefined ? `a pattern was added (${newS.pattern})` : `the pattern changed from ${oldS.pattern} to ${newS.pattern}`);
      }
      if (newS.format !== undefined && newS.format !== oldS.format && (newTypes ?? []).includes("string")) {
        say(`the format ${newS.format} was added`);
      }
      if (newS.multipleOf !== undefined && newS.multipleOf !== oldS.multipleOf &&
          !(oldS.multipleOf !== undefined && oldS.multipleOf % newS.multipleOf === 0)) {
        say(`multipleOf narrowed to ${newS.multipleOf}`);
      }
    }
    if (newS.uniqueItems === true && oldS.uniqueItems !== true) say("items must now be unique");
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
  if (oldS.items) compareSchema(ctx, `${where}[]`, oldS.items, newS.items ?? {}, direction);
  const oldExtra = oldS.additionalProperties;
  const newExtra = newS.additionalProperties;
  if (oldExtra && typeof oldExtra === "object" && newExtra !== false) {
    compareSchema(ctx, `${where}{*}`, oldExtra, newExtra && typeof newExtra === "object" ? newExtra : {}, direction);
  }
}

/**
 * oneOf/anyOf, in either direction. A request alternative that clients could send must still be accepted by some
 * new alternative; a response alternative the server may now return must have been allowed by some old one. A
 * plain schema on one side counts as a union of one. Alternatives are matched by trying them (same name or
 * position first), so reordering is not a change.
 */
function compareAlternatives(ctx, where, oldS, newS, direction) {
  const oldUnion = alternativesOf(oldS);
  const newUnion = alternativesOf(newS);
  // When only one side is a union, its alternatives carry the rest of that schema (e.g. a shared `type`), and the
  // plain side is a union of one.
  const list = (union, s, resolve) =>
    !union ? [s] : oldUnion && newUnion ? union[1] : union[1].map((a) => withBase(s, a, resolve));
  // On the side whose every alternative must be matched (old for requests, new for responses), a nullable
  // alternative is matched in two parts, so `{type: string, nullable: true}` equals `anyOf: [string, null]`.
  const split = (alts, resolve) => alts.flatMap((a) => {
    const s = flatten(a, resolve);
    return nullable(s) && !nullOnly(s) ? [withoutNull(s), NULL] : [a];
  });
  const oldList = direction === "request" ? split(list(oldUnion, oldS, ctx.resolveOld), ctx.resolveOld) : list(oldUnion, oldS, ctx.resolveOld);
  const newList = direction === "response" ? split(list(newUnion, newS, ctx.resolveNew), ctx.resolveNew) : list(newUnion, newS, ctx.resolveNew);
  const kind = (oldUnion ?? newUnion)[0];
  const trial = (oldAlt, newAlt) => {
    const sub = { ...ctx, problems: [], seen: new Set(ctx.seen) };
    compareSchema(sub, where, oldAlt, newAlt, direction);
    return sub.problems;
  };
  const covers = (oldAlt, newAlt) => {
    if (direction === "request" && nullOnly(flatten(oldAlt, ctx.resolveOld)) && nullable(flatten(newAlt, ctx.resolveNew))) return true;
    if (direction === "response" && nullOnly(flatten(newAlt, ctx.resolveNew)) && nullable(flatten(oldAlt, ctx.resolveOld))) return true;
    return trial(oldAlt, newAlt).length === 0;
  };
  // Try the likeliest partner first (same $ref, then same position): an unchanged union costs one pass.
  const ordered = (list, i, ref) => {
    const first = list.findIndex((a) => ref && a.$ref === ref);
    const order = [first, i, ...list.keys()].filter((j, n, all) => j >= 0 && j < list.length && all.indexOf(j) === n);
    return order.map((j) => list[j]);
  };
  const label = (alt, resolve, i) => {
    if (alt.$ref) return `\`${alt.$ref.split("/").pop()}\``;
    const s = flatten(alt, resolve);
    if (s.title) return `"${s.title}"`;
    if (nullOnly(s)) return "null";
    const types = typesOf(s);
    const items = s.items ? typesOf(flatten(s.items, resolve)) : undefined;
    return `#${i + 1} (${types ? types.join("|") : "any"}${items ? ` of ${items.join("|")}` : ""})`;
  };
  // The alternative that plainly became the changed one (the same $ref, else the only one of the same types): its own
  // differences say more than "no longer accepted".
  const partnerOf = (alt, resolveAlt, list, resolveList) => {
    const named = list.find((a) => alt.$ref && a.$ref === alt.$ref);
    if (named || alt.$ref || nullOnly(flatten(alt, resolveAlt))) return named;
    const kindOf = (a, resolve) => {
      const s = flatten(a, resolve);
      return nullOnly(s) ? "null" : String(typesOf(s) ?? "any");
    };
    const types = kindOf(alt, resolveAlt);
    const title = flatten(alt, resolveAlt).title;
    // Titled alternatives are told apart by title ("Named function" is not "Named custom tool").
    const same = list.filter((a) => !a.$ref && kindOf(a, resolveList) === types &&
      (title === undefined || flatten(a, resolveList).title === undefined || flatten(a, resolveList).title === title));
    return same.length === 1 ? same[0] : undefined;
  };
  const at = (union, alt, resolve, i) => (union ? `${where} (${kind} ${label(alt, resolve, i)})` : where);
  if (direction === "request") {
    oldList.forEach((oldAlt, i) => {
      if (ordered(newList, i, oldAlt.$ref).some((newAlt) => covers(oldAlt, newAlt))) return;
      const partner = partnerOf(oldAlt, ctx.resolveOld, newList, ctx.resolveNew);
      const before = ctx.problems.length;
      if (partner) compareSchema(ctx, at(oldUnion, oldAlt, ctx.resolveOld, i), oldAlt, partner, direction);
      if (ctx.problems.length > before) return;
      if (nullOnly(flatten(oldAlt, ctx.resolveOld))) ctx.problems.push(`${where}: null is no longer accepted`);
      else ctx.problems.push(`${where}: the ${kind} alternative ${label(oldAlt, ctx.resolveOld, i)} is no longer accepted`);
    });
  } else {
    newList.forEach((newAlt, j) => {
      if (ordered(oldList, j, newAlt.$ref).some((oldAlt) => covers(oldAlt, newAlt))) return;
      const partner = partnerOf(newAlt, ctx.resolveNew, oldList, ctx.resolveOld);
      const before = ctx.problems.length;
      if (partner) compareSchema(ctx, at(newUnion, newAlt, ctx.resolveNew, j), partner, newAlt, direction);
      if (ctx.problems.length > before) return;
      const s = flatten(newAlt, ctx.resolveNew);
      if (nullOnly(s)) ctx.problems.push(`${where}: may now be null`);
      else if (freeForm(s)) ctx.problems.push(`${where}: the schema was loosened to any value`);
      else ctx.problems.push(`${where}: a new ${kind} alternative ${label(newAlt, ctx.resolveNew, j)} may be returned`);
    });
  }
}

const NULL = { nullable: true, enum: [null] };

/** A nullable schema without its null. */
function withoutNull(s) {
  const { nullable: _, ...rest } = s;
  if (Array.isArray(rest.type)) rest.type = rest.type.filter((t) => t !== "null");
  if (Array.isArray(rest.enum)) rest.enum = rest.enum.filter((v) => v !== null);
  return rest;
}

function withoutUnion(s) {
  const { oneOf, anyOf, ...rest } = s;
  return rest;
}

/** An alternative with the keywords of the schema around it (type, properties, required, nullable). */
function withBase(base, alt, resolve) {
  const rest = withoutUnion(base);
  if (Object.keys(rest).every((k) => ["description", "title", "example", "discriminator"].includes(k))) return alt;
  return flatten({ allOf: [rest, alt] }, resolve);
}

/** Whether a value meets a schema's value constraints (bounds, length, pattern, multipleOf). */
function satisfies(v, s) {
  if (typeof v === "number") {
    if (s.minimum !== undefined && (s.exclusiveMinimum === true ? v <= s.minimum : v < s.minimum)) return false;
    if (s.maximum !== undefined && (s.exclusiveMaximum === true ? v >= s.maximum : v > s.maximum)) return false;
    if (s.multipleOf !== undefined && !Number.isInteger(v / s.multipleOf)) return false;
  }
  if (typeof v === "string") {
    if (s.minLength !== undefined && [...v].length < s.minLength) return false;
    if (s.maxLength !== undefined && [...v].length > s.maxLength) return false;
    if (s.pattern !== undefined) {
      let re;
      try {
        re = new RegExp(s.pattern, "u");
      } catch {
        re = new RegExp(s.pattern);
      }
      if (!re.test(v)) return false;
    }
  }
  return true;
}

function narrowedBound(say, keyword, before, after, narrower) {
  if (after === undefined) return;
  if (before === undefined || narrower(before, after)) say(`${keyword} narrowed from ${before ?? "none"} to ${after}`);
}
