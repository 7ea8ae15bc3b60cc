// Google's Schema has `repeated string enum`: the service refuses a number or boolean enum member while parsing
// the request, e.g. 400 "Invalid value at 'tools[0].function_declarations[0].parameters.properties[0].value.enum[0]'
// (TYPE_STRING), 1". The mock refuses the same, so a gateway that copies JSON Schema enums verbatim fails here too.

type Node = Record<string, unknown>;

function isNode(v: unknown): v is Node {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The first non-string enum member of a schema, as Google's message words it (the field path in the proto's names). */
function badEnum(schema: unknown, at: string): string | undefined {
  if (!isNode(schema)) return undefined;
  if (Array.isArray(schema.enum)) {
    const i = schema.enum.findIndex((v) => typeof v !== "string");
    if (i >= 0) return `Invalid value at '${at}.enum[${i}]' (TYPE_STRING), ${JSON.stringify(schema.enum[i])}`;
  }
  // A map<string, Schema> is a list of entries on the wire: Google names one by its position and `.value`.
  const props = isNode(schema.properties) ? Object.values(schema.properties) : [];
  for (const [i, p] of props.entries()) {
    const found = badEnum(p, `${at}.properties[${i}].value`);
    if (found) return found;
  }
  const found = badEnum(schema.items, `${at}.items`);
  if (found) return found;
  const variants = Array.isArray(schema.anyOf) ? schema.anyOf : [];
  for (const [i, v] of variants.entries()) {
    const inVariant = badEnum(v, `${at}.any_of[${i}]`);
    if (inVariant) return inVariant;
  }
  return undefined;
}

/** Google's 400 message for the first non-string enum member in the tools' parameters or the response schema, if any. */
export function findNonStringEnum(body: Node): string | undefined {
  const tools = Array.isArray(body.tools) ? body.tools : [];
  for (const [t, tool] of tools.entries()) {
    const declarations = isNode(tool) && Array.isArray(tool.functionDeclarations) ? tool.functionDeclarations : [];
    for (const [d, decl] of declarations.entries()) {
      const found = isNode(decl) ? badEnum(decl.parameters, `tools[${t}].function_declarations[${d}].parameters`) : undefined;
      if (found) return found;
    }
  }
  const config = isNode(body.generationConfig) ? body.generationConfig : {};
  return badEnum(config.responseSchema, "generation_config.response_schema");
}
