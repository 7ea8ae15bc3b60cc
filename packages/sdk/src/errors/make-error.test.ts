import { describe, expect, it } from "vitest";
import {
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  RunestoneError,
  UnprocessableEntityError,
} from "./index";
import { makeError } from "./make-error";

const envelope = (code: string) => ({ error: { message: "boom", type: "t", code, param: "p" } });

describe("makeError", () => {
  it("maps each status to its class", () => {
    const cases: [number, abstract new (...args: never[]) => RunestoneError][] = [
      [400, BadRequestError],
      [401, AuthenticationError],
      [403, PermissionDeniedError],
      [404, NotFoundError],
      [409, ConflictError],
      [422, UnprocessableEntityError],
      [429, RateLimitError],
      [500, InternalServerError],
      [503, InternalServerError],
    ];
    for (const [status, Class] of cases) {
      const error = makeError(status, envelope("c"), new Headers());
      expect(error).toBeInstanceOf(Class);
      expect(error).toBeInstanceOf(RunestoneError);
      expect(error.status).toBe(status);
    }
  });

  it("keeps other statuses as a plain RunestoneError", () => {
    const error = makeError(413, envelope("payload_too_large"), new Headers());
    expect(error.constructor).toBe(RunestoneError);
    expect(error.code).toBe("payload_too_large");
  });

  it("carries the request id, the error object and its fields", () => {
    const error = makeError(400, envelope("invalid_value"), new Headers({ "x-request-id": "req_1" }));
    expect(error.requestId).toBe("req_1");
    expect(error.error).toEqual({ message: "boom", type: "t", code: "invalid_value", param: "p" });
    expect(error.message).toBe("400 boom");
    expect(error.name).toBe("BadRequestError");
    expect([error.code, error.type, error.param]).toEqual(["invalid_value", "t", "p"]);
  });

  it("reads retryAfter in seconds on a RateLimitError", () => {
    const error = makeError(429, envelope("rate_limit_exceeded"), new Headers({ "retry-after": "7" }));
    expect((error as RateLimitError).retryAfter).toBe(7);
  });

  it("uses a text body or the status when the body is not the envelope", () => {
    expect(makeError(502, "Bad Gateway", new Headers()).message).toBe("502 Bad Gateway");
    const empty = makeError(500, undefined, new Headers());
    expect(empty.message).toBe("500 status code (no body)");
    expect(empty.error).toBeUndefined();
  });
});
