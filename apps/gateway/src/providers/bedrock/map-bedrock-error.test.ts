import { describe, expect, it } from "vitest";
import { mapBedrockError } from "./map-bedrock-error";
import { upstreamToHttpError } from "../../core/upstream-to-http-error";

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

  it("reads ServiceQuotaExceededException (HTTP 400) as a rate limit the client may retry, marked for the executor not to try that deployment again", () => {
    const err = mapBedrockError(sdkError("ServiceQuotaExceededException", 400, "quota"), "aws");
    expect(err).toMatchObject({
      kind: "http",
      status: 429,
      type: "rate_limit_error",
      code: null,
      retryable: true,
      quotaExceeded: true,
      message: "ServiceQuotaExceededException: quota",
    });
    expect(upstreamToHttpError(err)).toMatchObject({ status: 429, type: "rate_limit_error", code: "upstream_rate_limited" });
    expect(mapBedrockError(sdkError("ThrottlingException", 400, "slow down"), "aws").quotaExceeded).toBe(false);
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
