import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { declaresMajorChange, findBreakingChanges } from "../scripts/breaking-changes.mjs";

const script = fileURLToPath(new URL("../../../scripts/check-breaking-changes.mjs", import.meta.url));

type Doc = Record<string, any>;

/** A small spec: one POST with a request body and a 200 response, both named schemas. */
function spec(edit: (doc: Doc) => void = () => {}): Doc {
  const doc: Doc = {
    openapi: "3.0.3",
    info: { title: "t", version: "1.2.0" },
    paths: {
      "/v1/things": {
        post: {
          operationId: "createThing",
          parameters: [{ name: "dry_run", in: "query", required: false, schema: { type: "boolean" } }],
          requestBody: {
            required: true,
            content: { "application/json": { schema: { $ref: "#/components/schemas/CreateThing" } } },
          },
          responses: {
            "200": { description: "ok", content: { "application/json": { schema: { $ref: "#/components/schemas/Thing" } } } },
            "400": { description: "bad", content: { "application/json": { schema: { type: "object" } } } },
          },
        },
        get: {
          operationId: "listThings",
          responses: { "200": { description: "ok", content: { "application/json": { schema: { type: "array", items: { $ref: "#/components/schemas/Thing" } } } } } },
        },
      },
    },
    components: {
      schemas: {
        CreateThing: {
          type: "object",
          required: ["name"],
          properties: {
            name: { type: "string", minLength: 1, maxLength: 100 },
            color: { type: "string", enum: ["red", "green"] },
            size: { type: "integer", minimum: 1, maximum: 10, nullable: true },
            tags: { type: "array", maxItems: 8, items: { type: "string" } },
          },
        },
        Thing: {
          type: "object",
          required: ["id", "name"],
          properties: {
            id: { type: "string" },
            name: { type: "string" },
            color: { type: "string", enum: ["red", "green"] },
            owner: { $ref: "#/components/schemas/Owner" },
          },
        },
        Owner: { type: "object", properties: { id: { type: "string" }, parent: { $ref: "#/components/schemas/Owner" } } },
      },
    },
  };
  edit(doc);
  return doc;
}

const schemas = (d: Doc) => d.components.schemas;
const sorted = (list: string[]) => [...list].sort();

describe("the breaking-change check", () => {
  it("finds nothing when the spec is unchanged", () => {
    expect(findBreakingChanges(spec(), spec())).toEqual([]);
  });

  it("lets additions through: a new operation, an optional request field, a response field, a wider enum or range", () => {
    const after = spec((d) => {
      d.paths["/v1/other"] = { get: { responses: { "200": { description: "ok" } } } };
      schemas(d).CreateThing.properties.shape = { type: "string" };
      schemas(d).CreateThing.properties.color.enum.push("blue");
      schemas(d).CreateThing.properties.size.maximum = 100;
      schemas(d).CreateThing.properties.name.maxLength = 1000;
      schemas(d).Thing.properties.created_at = { type: "integer" };
      d.paths["/v1/things"].post.parameters.push({ name: "trace", in: "header", schema: { type: "string" } });
    });
    expect(findBreakingChanges(spec(), after)).toEqual([]);
  });

  it("reports a removed operation", () => {
    const after = spec((d) => delete d.paths["/v1/things"].get);
    expect(findBreakingChanges(spec(), after)).toEqual(["GET /v1/things: the operation was removed"]);
  });

  it("reports a removed or renamed request field", () => {
    const after = spec((d) => {
      const c = schemas(d).CreateThing.properties;
      c.colour = c.color;
      delete c.color;
    });
    expect(findBreakingChanges(spec(), after)).toEqual([
      "POST /v1/things request body: the field `color` was removed or renamed",
    ]);
  });

  it("reports a request field that became required, and a new required parameter", () => {
    const after = spec((d) => {
      schemas(d).CreateThing.required.push("color");
      d.paths["/v1/things"].post.parameters.push({ name: "region", in: "query", required: true, schema: { type: "string" } });
    });
    expect(findBreakingChanges(spec(), after).sort()).toEqual(sorted([
      "POST /v1/things request body: the field `color` became required",
      "POST /v1/things: new required query parameter `region`",
    ]));
  });

  it("reports narrowed request types, enums, ranges and nullability", () => {
    const after = spec((d) => {
      const c = schemas(d).CreateThing.properties;
      c.name.type = "integer";
      c.color.enum = ["red"];
      c.size.maximum = 5;
      c.size.nullable = false;
      c.tags.maxItems = 4;
    });
    expect(findBreakingChanges(spec(), after).sort()).toEqual(sorted([
      'POST /v1/things request body `color`: the enum no longer accepts "green"',
      "POST /v1/things request body `name`: the type changed from string to integer",
      "POST /v1/things request body `size`: maximum narrowed from 10 to 5",
      "POST /v1/things request body `size`: null is no longer accepted",
      "POST /v1/things request body `tags`: maxItems narrowed from 8 to 4",
    ]));
  });

  it("reports a removed response field, also in a nested and a shared schema, once per operation", () => {
    const after = spec((d) => {
      delete schemas(d).Thing.properties.name;
      schemas(d).Thing.required = ["id"];
      delete schemas(d).Owner.properties.id;
    });
    expect(findBreakingChanges(spec(), after).sort()).toEqual(sorted([
      "GET /v1/things 200 response[]: the field `name` was removed",
      "GET /v1/things 200 response[] `owner`: the field `id` was removed",
      "POST /v1/things 200 response: the field `name` was removed",
      "POST /v1/things 200 response `owner`: the field `id` was removed",
    ]));
  });

  it("reports a response field that is no longer always present or changed its type", () => {
    const after = spec((d) => {
      schemas(d).Thing.required = ["id"];
      schemas(d).Thing.properties.id = { type: "integer" };
    });
    expect(findBreakingChanges(spec(), after).sort()).toEqual(sorted([
      "GET /v1/things 200 response[]: the field `name` is no longer always present",
      "GET /v1/things 200 response[] `id`: the type changed from string to integer",
      "POST /v1/things 200 response: the field `name` is no longer always present",
      "POST /v1/things 200 response `id`: the type changed from string to integer",
    ]));
  });

  it("merges allOf members, so moving a field into an allOf part is not a removal", () => {
    const after = spec((d) => {
      const { color, ...rest } = schemas(d).CreateThing.properties;
      schemas(d).CreateThing = { allOf: [{ type: "object", required: ["name"], properties: rest }, { properties: { color } }] };
    });
    expect(findBreakingChanges(spec(), after)).toEqual([]);
  });

  it("treats a major version bump as the declaration of a break, and nothing else", () => {
    expect(declaresMajorChange(spec(), spec((d) => (d.info.version = "2.0.0")))).toBe(true);
    expect(declaresMajorChange(spec(), spec((d) => (d.info.version = "1.3.0")))).toBe(false);
  });

  it("exits 1 from the command line on a break and 0 once the major version changes", () => {
    const dir = mkdtempSync(join(tmpdir(), "breaking-test-"));
    try {
      const write = (name: string, doc: Doc) => {
        writeFileSync(join(dir, name), JSON.stringify(doc));
        return join(dir, name);
      };
      const before = write("old.json", spec());
      const broken = write("new.json", spec((d) => delete d.paths["/v1/things"].get));
      const declared = write("major.json", spec((d) => {
        delete d.paths["/v1/things"].get;
        d.info.version = "2.0.0";
      }));
      const run = (next: string) => {
        try {
          execFileSync(process.execPath, [script, "--old", before, "--new", next], { stdio: "pipe", encoding: "utf8" });
          return 0;
        } catch (error) {
          return (error as { status: number }).status;
        }
      };
      expect(run(broken)).toBe(1);
      expect(run(declared)).toBe(0);
      expect(run(before)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
