import { describe, expect, it } from "vitest";
import { mapBedrockError } from "./map-bedrock-error";

const sdkError = (name: string, status: number, message = "m") => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

describe("mapBedrockError", () => {
  it.each([
    ["ThrottlingException", 429, 429, true],
    ["ServiceUnavailableException", 503, 503, true],
    ["InternalServerException", 500, 500, true],
    ["ValidationException", 400, 400, false],
  ])("%s -> HTTP %i, retryable %s", (name, status, expected, retryable) => {
    expect(mapBedrockError(sdkError(name, status), "aws")).toMatchObject({ kind: "http", status: expected, retryable, code: null, provider: "aws" });
    expect(mapBedrockError(sdkError(name, status), "aws").message).toBe(`${name}: m`);
  });

  it("reads ServiceQuotaExceededException (HTTP 400) as OpenAI's insufficient_quota: a 429 that may fall back, not a rate limit", () => {
    expect(mapBedrockError(sdkError("ServiceQuotaExceededException", 400, "quota"), "aws")).toMatchObject({
      kind: "http",
      status: 429,
      type: "insufficient_quota",
      code: "insufficient_quota",
      retryable: true,
      message: "ServiceQuotaExceededException: quota",
    });
  });

  it("reads refused credentials as our misconfiguration, not retryable, without the upstream's text", () => {
    const err = mapBedrockError(sdkError("AccessDeniedException", 403, "User arn:aws:iam::123:user/x is not authorized"), "aws");
    expect(err).toMatchObject({ kind: "configuration", status: 403, retryable: false });
    expect(err.message).not.toContain("arn:aws");
  });

  it("reads a failure without an HTTP answer as a connection failure", () => {
    expect(mapBedrockError(Object.assign(new Error("x"), { code: "ECONNREFUSED" }), "aws")).toMatchObject({ kind: "connection", retryable: true });
  });
});
