import { describe, expect, it } from "vitest";
import { toGeminiSchema } from "./to-gemini-schema";

describe("toGeminiSchema: enums Gemini cannot take (non-string values) on a schema that declares no type", () => {
  it.each([
    [{ enum: [1, 2] }, { type: "integer", description: "Allowed values: 1, 2" }],
    [{ enum: [1, 2.5] }, { type: "number", description: "Allowed values: 1, 2.5" }],
    [{ enum: [0.5] }, { type: "number", description: "Allowed values: 0.5" }],
    [{ const: true }, { type: "boolean", description: "Allowed values: true" }],
    [{ enum: [true, false] }, { type: "boolean", description: "Allowed values: true, false" }],
    [{ const: 3, description: "How many." }, { type: "integer", description: "How many.\nAllowed values: 3" }],
    [{ enum: [1, null] }, { type: "integer", nullable: true, description: "Allowed values: 1" }],
    [{ enum: [1, "a"] }, { description: 'Allowed values: 1, "a"' }],
    [{ enum: [true, 1] }, { description: "Allowed values: true, 1" }],
    [{ enum: [{ a: 1 }] }, { description: 'Allowed values: {"a":1}' }],
  ])("%j -> %j", (schema, expected) => {
    expect(toGeminiSchema(schema)).toStrictEqual(expected);
  });

  it("keeps a declared type (even one the values do not match) and infers none for string enums", () => {
    expect(toGeminiSchema({ type: "number", enum: [1, 2] })).toStrictEqual({ type: "number", description: "Allowed values: 1, 2" });
    expect(toGeminiSchema({ type: ["integer", "null"], const: 1 })).toStrictEqual({ type: "integer", nullable: true, description: "Allowed values: 1" });
    expect(toGeminiSchema({ enum: ["a", "b"] })).toStrictEqual({ enum: ["a", "b"] });
  });

  it("infers the type of nested properties and items", () => {
    const schema = { type: "object", properties: { level: { enum: [1, 2, 3] }, flags: { type: "array", items: { const: false } } } };
    expect(toGeminiSchema(schema)).toStrictEqual({
      type: "object",
      properties: {
        level: { type: "integer", description: "Allowed values: 1, 2, 3" },
        flags: { type: "array", items: { type: "boolean", description: "Allowed values: false" } },
      },
    });
  });
});
