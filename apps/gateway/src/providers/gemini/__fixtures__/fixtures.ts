// Helpers for the Gemini golden tests: fixture files and a ChatCall for them. SSE decoding and the
// transformer runner are the Anthropic adapter's (same HTTP layer, same eventsource-parser).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ChatCall, ChatRequest } from "../../../core/provider-contract";

export { decodeSse, runTransformer, NOW_SECONDS } from "../../anthropic/__fixtures__/fixtures";

const here = import.meta.dirname;
export const UPSTREAM_MODEL = "gemini-test-pro";

export function readFixture(name: string): string {
  return readFileSync(join(here, name), "utf8");
}

export function loadJson<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFixture(name)) as T;
}

export function makeCall(body: Record<string, unknown>, overrides: Partial<ChatCall> = {}): ChatCall {
  return {
    body: body as ChatRequest & Record<string, unknown>,
    upstreamModel: UPSTREAM_MODEL,
    publicModel: "gemini-test-pro",
    stream: false,
    clientWantsUsage: false,
    requestId: "req_test",
    ...overrides,
  };
}
