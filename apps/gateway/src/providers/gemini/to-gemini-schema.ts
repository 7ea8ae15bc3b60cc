/**
 * A JSON Schema (OpenAI tool parameters / response_format schema) -> the OpenAPI-style Schema subset Gemini's
 * `functionDeclarations[].parameters` and `responseSchema` accept.
 *
 * Kept: type, format, title, description, nullable, enum, items, properties, required, propertyOrdering,
 * anyOf, minItems/maxItems, minProperties/maxProperties, minLength/maxLength, pattern, minimum/maximum,
 * default, example.
 * Rewritten: a type list `["string","null"]` becomes `type: "string"` + `nullable: true`; `const: x`
 * becomes `enum: [x]`; a local `$ref` into `$defs`/`definitions` is inlined (a recursive one is dropped,
 * Gemini has no references). Gemini's `enum` is a list of strings (the service refuses a number or boolean
 * member with a 400), so an enum or const with any other value is not sent as `enum`: its values are said in
 * the `description` instead ("Allowed values: 1, 2, 3", each value as JSON), and the declared type is kept; with
 * no declared type, one is inferred from the values (all integers -> integer, numbers -> number, booleans ->
 * boolean; mixed values stay untyped).
 * Dropped (Gemini refuses or ignores them): `$schema`, `$id`, `$defs`, `definitions`, `$ref` it cannot
 * inline, `additionalProperties`, `unevaluatedProperties`, `patternProperties`, `allOf`, `oneOf`, `not`,
 * `if`/`then`/`else`, `exclusiveMinimum`/`exclusiveMaximum`, `multipleOf`, `uniqueItems`, `contains`,
 * `examples`, `readOnly`/`writeOnly`, `deprecated`, `strict`, and any other keyword.
 */
export function toGeminiSchema(schema: unknown): Record<string, unknown> {
  const root = isRecord(schema) ? schema : {};
  const defs = { ...(isRecord(root.definitions) ? root.definitions : {}), ...(isRecord(root.$defs) ? root.$defs : {}) };
  return convert(root, defs, new Set());
}

const COPIED = [
  "format", "title", "description", "nullable", "enum", "propertyOrdering", "minItems", "maxItems",
  "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "minimum", "maximum", "default", "example",
] as const;

function convert(node: Record<string, unknown>, defs: Record<string, unknown>, seen: Set<string>): Record<string, unknown> {
  if (typeof node.$ref === "string") {
    const name = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(node.$ref)?.[1];
    const target = name === undefined ? undefined : defs[name];
    if (name === undefined || !isRecord(target) || seen.has(name)) return {};
    const { $ref: _ref, ...rest } = node;
    return convert({ ...target, ...rest }, defs, new Set([...seen, name]));
  }
  const out: Record<string, unknown> = {};
  if (Array.isArray(node.type)) {
    const types = node.type.filter((t) => t !== "null");
    if (types.length < node.type.length) out.nullable = true;
    if (typeof types[0] === "string") out.type = types[0];
  } else if (typeof node.type === "string" && node.type !== "null") {
    out.type = node.type;
  }
  for (const key of COPIED) if (node[key] !== undefined) out[key] = node[key];
  if (node.const !== undefined && out.enum === undefined) out.enum = [node.const];
  // Gemini's enum lists values, not null: a null member means nullable.
  if (Array.isArray(out.enum) && out.enum.includes(null)) {
    out.enum = out.enum.filter((v) => v !== null);
    out.nullable = true;
  }
  if (Array.isArray(out.enum) && !out.enum.every((v) => typeof v === "string")) {
    if (out.type === undefined) {
      const type = typeOfValues(out.enum);
      if (type !== undefined) out.type = type;
    }
    const allowed = `Allowed values: ${out.enum.map((v) => JSON.stringify(v)).join(", ")}`;
    out.description = typeof out.description === "string" && out.description.trim() !== "" ? `${out.description.trimEnd()}\n${allowed}` : allowed;
    delete out.enum;
  }
  if (isRecord(node.properties)) {
    out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, isRecord(v) ? convert(v, defs, seen) : {}]));
  }
  if (Array.isArray(node.required)) out.required = node.required.filter((r) => typeof r === "string");
  if (isRecord(node.items)) out.items = convert(node.items, defs, seen);
  if (Array.isArray(node.anyOf)) {
    const variants = node.anyOf.filter(isRecord);
    // `anyOf: [X, {type:"null"}]` is how JSON Schema spells an optional X: Gemini says nullable.
    const nonNull = variants.filter((v) => v.type !== "null");
    if (nonNull.length < variants.length) out.nullable = true;
    if (nonNull.length === 1) Object.assign(out, convert(nonNull[0]!, defs, seen));
    else if (nonNull.length > 1) out.anyOf = nonNull.map((v) => convert(v, defs, seen));
  }
  return out;
}

/**
 * The type an enum's values share, for a schema that declares none (`{enum: [1, 2]}`, `{const: true}`): once
 * the enum is moved to the description, the type is all Gemini is left to check. Integers -> integer, numbers
 * (some not integers) -> number, booleans -> boolean; anything else (mixed values, objects) stays untyped.
 */
function typeOfValues(values: unknown[]): string | undefined {
  if (values.length === 0) return undefined;
  if (values.every((v) => Number.isInteger(v))) return "integer";
  if (values.every((v) => typeof v === "number" && Number.isFinite(v))) return "number";
  if (values.every((v) => typeof v === "boolean")) return "boolean";
  return undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
