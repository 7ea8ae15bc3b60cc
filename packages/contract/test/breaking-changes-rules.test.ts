import { describe, expect, it } from "vitest";
import { findBreakingChanges } from "../scripts/breaking-changes.mjs";

// One small spec and one mutated copy per rule: each mutation is either a break the check must report (with a
// sentence naming it) or a compatible change it must let through. The direction rules: what clients send may only
// widen, what they receive may only narrow.

type Doc = Record<string, any>;

function base(): Doc {
  return {
    openapi: "3.0.3",
    info: { title: "t", version: "1.0.0" },
    security: [{ bearer: [] }],
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
            "400": { $ref: "#/components/responses/Error" },
            "429": {
              description: "slow down",
              headers: { "Retry-After": { schema: { type: "integer" } } },
              content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
            },
          },
        },
      },
      "/v1/things/{thing_id}": {
        parameters: [{ name: "thing_id", in: "path", required: true, schema: { type: "string" } }],
        get: {
          operationId: "getThing",
          responses: {
            "200": { description: "ok", content: { "application/json": { schema: { $ref: "#/components/schemas/Thing" } } } },
            "404": { $ref: "#/components/responses/Error" },
          },
        },
      },
      "/health": {
        get: { operationId: "health", security: [], responses: { "200": { description: "ok" } } },
      },
    },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer" },
        apiKey: { type: "apiKey", in: "header", name: "x-api-key" },
      },
      responses: {
        Error: { description: "error", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
      },
      schemas: {
        CreateThing: {
          type: "object",
          required: ["name"],
          properties: {
            name: { type: "string", minLength: 1, maxLength: 100 },
            color: { type: "string", enum: ["red", "green"] },
            mode: { type: "string", enum: ["fast", "slow"] },
            size: { type: "integer", minimum: 1, maximum: 10, nullable: true },
            label: { type: "string" },
            input: { oneOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] },
            stop: { anyOf: [{ type: "string" }, { type: "array", maxItems: 4, items: { type: "string" } }] },
            part: { oneOf: [{ $ref: "#/components/schemas/TextPart" }, { $ref: "#/components/schemas/ImagePart" }] },
            owner: { $ref: "#/components/schemas/Owner" },
          },
        },
        TextPart: { type: "object", required: ["type", "text"], properties: { type: { type: "string", enum: ["text"] }, text: { type: "string" } } },
        ImagePart: { type: "object", required: ["type", "url"], properties: { type: { type: "string", enum: ["image"] }, url: { type: "string" } } },
        Thing: {
          type: "object",
          required: ["id", "name", "status", "usage"],
          properties: {
            id: { type: "string" },
            name: { type: "string" },
            count: { type: "integer" },
            status: { type: "string", enum: ["queued", "done"] },
            note: { type: "string", nullable: true },
            usage: { $ref: "#/components/schemas/Usage" },
            result: { oneOf: [{ $ref: "#/components/schemas/TextPart" }, { $ref: "#/components/schemas/ImagePart" }] },
            tags: { type: "array", items: { type: "string" } },
            owner: { $ref: "#/components/schemas/Owner" },
          },
        },
        Usage: { type: "object", required: ["tokens"], properties: { tokens: { type: "integer" } } },
        Owner: { type: "object", properties: { id: { type: "string" }, parent: { $ref: "#/components/schemas/Owner" } } },
        Error: {
          type: "object",
          required: ["error"],
          properties: { error: { type: "object", required: ["message"], properties: { message: { type: "string" }, code: { type: "string", nullable: true } } } },
        },
      },
    },
  };
}

const S = (d: Doc) => d.components.schemas;
const req = (d: Doc) => S(d).CreateThing.properties;
const res = (d: Doc) => S(d).Thing.properties;
const post = (d: Doc) => d.paths["/v1/things"].post;

/** [what changed, the mutation, a pattern one reported sentence must match] */
const breaking: Array<[string, (d: Doc) => void, RegExp]> = [
  // requests: narrowing breaks
  ["request field removed", (d) => delete req(d).label, /request body: the field `label` was removed or renamed/],
  ["request field became required", (d) => S(d).CreateThing.required.push("color"), /the field `color` became required/],
  ["new required request field", (d) => {
    req(d).region = { type: "string" };
    S(d).CreateThing.required.push("region");
  }, /the field `region` became required/],
  ["request oneOf alternative removed", (d) => (req(d).input.oneOf = [{ type: "string" }]), /`input`: the oneOf alternative #2 \(array of string\) is no longer accepted/],
  ["request anyOf alternative removed", (d) => req(d).stop.anyOf.pop(), /`stop`: the anyOf alternative #2 \(array of string\) is no longer accepted/],
  ["request union replaced by one of its alternatives", (d) => (req(d).input = { type: "string" }), /`input`: the oneOf alternative #2 \(array of string\) is no longer accepted/],
  ["request $ref alternative removed", (d) => req(d).part.oneOf.pop(), /`part`: the oneOf alternative `ImagePart` is no longer accepted/],
  ["request alternative narrowed inside its $ref", (d) => S(d).ImagePart.required.push("detail"), /`part` \(oneOf `ImagePart`\): the field `detail` became required/],
  ["request alternative tightened inline", (d) => (req(d).stop.anyOf[1].maxItems = 2), /`stop` \(anyOf #2 \(array of string\)\): maxItems narrowed from 4 to 2/],
  ["request free-form field became a union with a tighter string", (d) => {
    req(d).label = { oneOf: [{ type: "string", minLength: 1 }, { type: "object", properties: { id: { type: "string" } } }] };
  }, /`label`: minLength narrowed from none to 1/],
  ["new pattern on a request field", (d) => (req(d).label.pattern = "^[a-z]+$"), /`label`: a pattern was added \(\^\[a-z\]\+\$\)/],
  ["new format on a request string", (d) => (req(d).label.format = "uri"), /`label`: the format uri was added/],
  ["request maxLength tightened", (d) => (req(d).name.maxLength = 50), /`name`: maxLength narrowed from 100 to 50/],
  ["request minimum raised", (d) => (req(d).size.minimum = 2), /`size`: minimum narrowed from 1 to 2/],
  ["request enum value removed", (d) => (req(d).color.enum = ["red"]), /`color`: the enum no longer accepts "green"/],
  ["request enum added to a free string", (d) => (req(d).label.enum = ["a", "b"]), /`label`: the enum no longer accepts any value outside it/],
  ["request type changed", (d) => (req(d).name = { type: "integer" }), /`name`: the type changed from string to integer/],
  ["request null no longer accepted", (d) => delete req(d).size.nullable, /`size`: null is no longer accepted/],
  ["request null alternative removed", (d) => {
    req(d).size = { anyOf: [{ type: "integer", minimum: 1, maximum: 10 }] };
  }, /`size`: null is no longer accepted/],
  ["request unknown fields refused", (d) => (S(d).CreateThing.additionalProperties = false), /unknown fields are no longer accepted/],
  ["request field narrowed inside a $ref", (d) => (S(d).Owner.properties.id.maxLength = 8), /`owner` `id`: maxLength narrowed from none to 8/],
  ["request body no longer accepts JSON", (d) => {
    post(d).requestBody.content = { "text/plain": { schema: { type: "string" } } };
  }, /the request body no longer accepts application\/json/],
  ["parameter became required", (d) => (post(d).parameters[0].required = true), /query parameter `dry_run` became required/],
  ["new required parameter", (d) => post(d).parameters.push({ name: "region", in: "query", required: true, schema: { type: "string" } }), /new required query parameter `region`/],
  ["parameter removed", (d) => (post(d).parameters = []), /query parameter `dry_run` was removed/],
  ["parameter serialized differently", (d) => (post(d).parameters[0].explode = false), /`dry_run` is serialized differently/],
  ["parameter schema narrowed", (d) => (d.paths["/v1/things/{thing_id}"].parameters[0].schema.maxLength = 10), /path parameter `thing_id`: maxLength narrowed/],
  // responses: widening breaks
  ["response field removed", (d) => delete res(d).name, /200 response: the field `name` was removed/],
  ["response field made optional", (d) => (S(d).Thing.required = ["id", "status", "usage"]), /200 response: the field `name` is no longer always present/],
  ["response field became nullable", (d) => (res(d).count.nullable = true), /200 response `count`: may now be null/],
  ["response $ref field became nullable through anyOf", (d) => {
    res(d).usage = { anyOf: [{ $ref: "#/components/schemas/Usage" }, { type: "object", nullable: true, enum: [null] }] };
  }, /200 response `usage`: may now be null/],
  ["response enum gained a value", (d) => res(d).status.enum.push("failed"), /`status`: the enum may now return "failed"/],
  ["response enum opened to any string", (d) => delete res(d).status.enum, /`status`: the enum was removed: any value may now be returned/],
  ["response field loosened to {}", (d) => (res(d).count = {}), /`count`: the schema was loosened to any value \(it was integer\)/],
  ["response field's type removed", (d) => (res(d).name = { description: "the name" }), /`name`: the schema was loosened to any value \(it was string\)/],
  ["response $ref field loosened to {}", (d) => (res(d).usage = {}), /`usage`: the schema was loosened to any value \(it was object\)/],
  ["response array items loosened", (d) => (res(d).tags = { type: "array" }), /`tags`\[\]: the schema was loosened to any value/],
  ["response type widened", (d) => (res(d).count = { type: "number" }), /`count`: the type changed from integer to number/],
  ["response union gained an alternative", (d) => res(d).result.oneOf.push({ type: "string" }), /`result`: a new oneOf alternative #3 \(string\) may be returned/],
  ["response plain field became a union", (d) => (res(d).name = { oneOf: [{ type: "string" }, { type: "integer" }] }), /`name`: a new oneOf alternative #2 \(integer\) may be returned/],
  ["response field widened inside a $ref alternative", (d) => S(d).TextPart.properties.type.enum.push("markdown"), /`result` \(oneOf `TextPart`\) `type`: the enum may now return "markdown"/],
  ["response field removed in a shared recursive $ref", (d) => delete S(d).Owner.properties.id, /200 response `owner`: the field `id` was removed/],
  ["error response field removed", (d) => delete S(d).Error.properties.error.properties.message, /400 response `error`: the field `message` was removed/],
  ["success status removed", (d) => {
    post(d).responses["201"] = post(d).responses["200"];
    delete post(d).responses["200"];
  }, /POST \/v1\/things: the 200 response was removed/],
  ["error status removed", (d) => delete d.paths["/v1/things/{thing_id}"].get.responses["404"], /GET \/v1\/things\/\{thing_id\}: the 404 response was removed/],
  ["response header removed", (d) => delete post(d).responses["429"].headers["Retry-After"], /the 429 response no longer has the `Retry-After` header/],
  ["response media type removed", (d) => {
    post(d).responses["200"] = { description: "ok", content: { "text/event-stream": { schema: { type: "string" } } } };
  }, /the 200 response no longer offers application\/json/],
  // operations and security
  ["operation removed", (d) => delete d.paths["/v1/things/{thing_id}"].get, /GET \/v1\/things\/\{thing_id\}: the operation was removed/],
  ["path removed", (d) => delete d.paths["/health"], /GET \/health: the operation was removed/],
  ["global security changed", (d) => (d.security = [{ apiKey: [] }]), /POST \/v1\/things: security changed: clients authenticating with bearer are no longer accepted/],
  ["operation security changed", (d) => (post(d).security = [{ apiKey: [] }]), /POST \/v1\/things: security changed/],
  ["an anonymous operation now needs a key", (d) => delete d.paths["/health"].get.security, /GET \/health: security changed: clients authenticating with no credentials are no longer accepted/],
  ["security scheme redefined", (d) => (d.components.securitySchemes.bearer = { type: "apiKey", in: "header", name: "x-key" }), /security changed: the security scheme `bearer` was redefined/],
  ["security requirement needs a second scheme", (d) => (d.security = [{ bearer: [], apiKey: [] }]), /bearer are no longer accepted/],
];

const compatible: Array<[string, (d: Doc) => void]> = [
  ["nothing changed", () => {}],
  ["request enum gained a value", (d) => req(d).color.enum.push("blue")],
  ["request enum opened to any string", (d) => delete req(d).color.enum],
  ["request enum opened through a union", (d) => (req(d).mode = { anyOf: [{ type: "string" }, { type: "string", enum: ["fast", "slow", "turbo"] }] })],
  ["request enum replaced by a non-empty string", (d) => (req(d).mode = { type: "string", minLength: 1 })],
  ["new optional request field", (d) => (req(d).shape = { type: "string", pattern: "^[a-z]+$" })],
  ["request field made optional", (d) => (S(d).CreateThing.required = [])],
  ["request range widened", (d) => {
    req(d).size.maximum = 100;
    req(d).name.maxLength = 1000;
    delete req(d).name.minLength;
  }],
  ["request null newly accepted", (d) => (req(d).name.nullable = true)],
  ["request integer field accepts any number", (d) => (req(d).size.type = "number")],
  ["request nullable field written as anyOf with null", (d) => {
    req(d).size = { anyOf: [{ type: "integer", minimum: 1, maximum: 10 }, { type: "object", nullable: true, enum: [null] }] };
  }],
  ["response nullable field written as anyOf with null", (d) => {
    res(d).note = { anyOf: [{ type: "string" }, { type: "object", nullable: true, enum: [null] }] };
  }],
  ["request oneOf gained an alternative", (d) => req(d).input.oneOf.push({ type: "array", items: { type: "integer" } })],
  ["request plain field became a union with its old shape", (d) => (req(d).label = { oneOf: [{ type: "string" }, { type: "array", items: { type: "string" } }] })],
  ["request union alternatives reordered", (d) => req(d).part.oneOf.reverse()],
  ["request $ref inlined", (d) => (req(d).owner = structuredClone(S(d).Owner))],
  ["new optional parameter", (d) => post(d).parameters.push({ name: "trace", in: "header", schema: { type: "string" } })],
  ["path parameter renamed", (d) => {
    const item = d.paths["/v1/things/{thing_id}"];
    delete d.paths["/v1/things/{thing_id}"];
    item.parameters[0].name = "id";
    d.paths["/v1/things/{id}"] = item;
  }],
  ["response gained a field", (d) => (res(d).created_at = { type: "integer" })],
  ["response gained a required, nullable field", (d) => {
    res(d).refusal = { type: "string", nullable: true };
    S(d).Thing.required.push("refusal");
  }],
  ["response field became always present", (d) => S(d).Thing.required.push("count")],
  ["response enum lost a value", (d) => (res(d).status.enum = ["done"])],
  ["response field no longer nullable", (d) => delete res(d).note.nullable],
  ["response union lost an alternative", (d) => res(d).result.oneOf.pop()],
  ["new status code", (d) => {
    post(d).responses["413"] = { $ref: "#/components/responses/Error" };
    post(d).responses["202"] = { description: "queued" };
  }],
  ["a status folded into a declared range", (d) => {
    const get = d.paths["/v1/things/{thing_id}"].get;
    get.responses["4XX"] = get.responses["404"];
    delete get.responses["404"];
  }],
  ["new operation and path", (d) => (d.paths["/v1/other"] = { get: { responses: { "200": { description: "ok" } } } })],
  ["new security alternative", (d) => (d.security = [{ bearer: [] }, { apiKey: [] }])],
  ["operation opened to anonymous callers", (d) => (post(d).security = [{}, { bearer: [] }])],
  ["security scheme description changed", (d) => (d.components.securitySchemes.bearer.description = "A key.")],
  ["descriptions and examples changed", (d) => {
    req(d).label.description = "A label.";
    res(d).id.example = "t_1";
  }],
];

describe("breaking changes: each one is reported", () => {
  it.each(breaking)("%s", (_name, mutate, expected) => {
    const before = base();
    const after = base();
    mutate(after);
    const problems: string[] = findBreakingChanges(before, after);
    expect(problems.some((p) => expected.test(p)), problems.join("\n") || "(nothing reported)").toBe(true);
  });

  it("names the changed pattern", () => {
    const before = base();
    req(before).label.pattern = "^[a-z0-9]+$";
    const after = base();
    req(after).label.pattern = "^[a-z]+$";
    expect(findBreakingChanges(before, after)).toEqual([
      "POST /v1/things request body `label`: the pattern changed from ^[a-z0-9]+$ to ^[a-z]+$",
    ]);
  });
});

describe("compatible changes: none is reported", () => {
  it.each(compatible)("%s", (_name, mutate) => {
    const after = base();
    mutate(after);
    expect(findBreakingChanges(base(), after)).toEqual([]);
  });

  it("a free-form response field that became typed", () => {
    const before = base();
    res(before).tags = { type: "array", items: {} };
    res(before).count = {};
    expect(findBreakingChanges(before, base())).toEqual([]);
  });
});

describe("what the check reads", () => {
  it("resolves $refs on both sides, so the same schema inline or named is no change, in either direction", () => {
    const before = base();
    const after = base();
    res(after).usage = structuredClone(S(after).Usage);
    req(after).part.oneOf = [structuredClone(S(after).TextPart), structuredClone(S(after).ImagePart)];
    expect(findBreakingChanges(before, after)).toEqual([]);
    expect(findBreakingChanges(after, before)).toEqual([]);
  });

  it("reports a change in a component once per operation that uses it, not once per place", () => {
    const after = base();
    delete S(after).Usage.properties.tokens;
    S(after).Usage.required = [];
    expect(findBreakingChanges(base(), after).sort()).toEqual([
      "GET /v1/things/{thing_id} 200 response `usage`: the field `tokens` was removed",
      "POST /v1/things 200 response `usage`: the field `tokens` was removed",
    ]);
  });
});
