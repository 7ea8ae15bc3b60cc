import { describe, expect, it } from "vitest";
import { toHttpError } from "./to-http-error";

// The shapes express-openapi-validator raises for chat messages (a oneOf over roles), as seen from the live gateway.
const validatorError = (errors: { path: string; message: string }[]) => ({ status: 400, errors });
const roleMismatch = (role: string) => ({ path: "/body/messages/0/role", message: `must be equal to one of the allowed values: ${role}` });

describe("toHttpError for request validation", () => {
  it("names the field the client got wrong, not the role of another oneOf branch", () => {
    const e = toHttpError(
      validatorError([
        roleMismatch("system"),
        roleMismatch("developer"),
        { path: "/body/messages/0/content", message: "must be string" },
        { path: "/body/messages/0/content", message: "must be array" },
        { path: "/body/messages/0/content", message: "must match exactly one schema in oneOf" },
      ]),
    );
    expect(e.status).toBe(400);
    expect(e.toBody().error.param).toBe("messages.0.content");
    expect(e.toBody().error.message).toBe("messages.0.content: must be string; messages.0.content: must be array");
  });

  it("puts the deepest problem first", () => {
    const e = toHttpError(
      validatorError([
        { path: "/body/messages/0/content", message: "must have required property 'content'" },
        { path: "/body/messages/0/tool_calls/0/function/arguments", message: "must have required property 'arguments'" },
      ]),
    );
    expect(e.toBody().error.param).toBe("messages.0.tool_calls.0.function.arguments");
    expect(e.toBody().error.message).toMatch(/^messages\.0\.tool_calls\.0\.function\.arguments: must have required property 'arguments'/);
  });

  it("keeps the role when the role itself is what no branch accepts", () => {
    const e = toHttpError(validatorError([roleMismatch("system"), roleMismatch("user"), roleMismatch("assistant")]));
    expect(e.toBody().error.param).toBe("messages.0.role");
    expect(e.toBody().error.message).toContain("must be equal to one of the allowed values: system");
  });

  it("keeps the role first for an unknown role, which the tool branch reports as a missing tool_call_id", () => {
    const e = toHttpError(validatorError([roleMismatch("system"), roleMismatch("user"), { path: "/body/messages/0/tool_call_id", message: "must have required property 'tool_call_id'" }]));
    expect(e.toBody().error.param).toBe("messages.0.role");
    expect(e.toBody().error.message).toContain("messages.0.tool_call_id: must have required property 'tool_call_id'");
  });

  it("names a content part's missing text once the content's own type is wrong too", () => {
    const e = toHttpError(
      validatorError([
        roleMismatch("system"),
        { path: "/body/messages/0/content", message: "must be string" },
        { path: "/body/messages/0/content/0/text", message: "must have required property 'text'" },
      ]),
    );
    expect(e.toBody().error.param).toBe("messages.0.content.0.text");
  });
});
