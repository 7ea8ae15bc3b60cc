import { describe, expect, it } from "vitest";
import { HttpError, type ErrorType } from "../../core/http-error";
import { isMessagesRoute, toAnthropicErrorBody } from "./to-anthropic-error";

const err = (status: number, type: ErrorType) => new HttpError({ status, type, message: "m" });

describe("toAnthropicErrorBody", () => {
  it.each([
    [400, "invalid_request_error", "invalid_request_error"],
    [401, "authentication_error", "authentication_error"],
    [403, "permission_error", "permission_error"],
    [404, "not_found_error", "not_found_error"],
    [413, "invalid_request_error", "request_too_large"],
    [429, "rate_limit_error", "rate_limit_error"],
    [500, "api_error", "api_error"],
    [502, "service_error", "api_error"],
    [503, "overloaded_error", "overloaded_error"],
    [504, "service_error", "timeout_error"],
  ] as const)("answers HTTP %i %s as Anthropic's %s", (status, type, expected) => {
    expect(toAnthropicErrorBody(err(status, type))).toStrictEqual({ type: "error", error: { type: expected, message: "m" } });
  });

  it("applies to /v1/messages only", () => {
    expect(isMessagesRoute("/v1/messages")).toBe(true);
    expect(isMessagesRoute("/v1/chat/completions")).toBe(false);
    expect(isMessagesRoute("/v1/messagesx")).toBe(false);
  });
});
