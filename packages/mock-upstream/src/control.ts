import type { IncomingMessage, ServerResponse } from "node:http";
import type { BehaviorRules, MockBehavior } from "./behavior.js";
import { sendJson } from "./http.js";
import type { Recorder } from "./record.js";

/**
 * The `/_mock/*` endpoints, for driving a mock that runs in another process:
 * `POST /_mock/behave` {behavior, times?, model?, path?}, `GET /_mock/requests`, `POST /_mock/reset`.
 * They are not recorded.
 */
export function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  rawBody: string,
  state: { rules: BehaviorRules; recorder: Recorder },
): void {
  const key = `${req.method} ${path}`;
  if (key === "GET /_mock/requests") return sendJson(res, 200, { requests: state.recorder.requests });
  if (key === "POST /_mock/reset") {
    state.rules.clear();
    state.recorder.clear();
    return sendJson(res, 200, { ok: true });
  }
  if (key === "POST /_mock/behave") {
    let body: { behavior?: MockBehavior; times?: number | null; model?: string; path?: string };
    try {
      body = JSON.parse(rawBody || "{}");
    } catch {
      return sendJson(res, 400, { error: { message: "body is not valid JSON", type: "invalid_request_error", param: null, code: null } });
    }
    if (!body.behavior || typeof body.behavior !== "object") {
      return sendJson(res, 400, { error: { message: "behavior must be an object", type: "invalid_request_error", param: "behavior", code: null } });
    }
    state.rules.add(body.behavior, { times: body.times ?? undefined, model: body.model, path: body.path });
    return sendJson(res, 200, { ok: true });
  }
  sendJson(res, 404, { error: { message: `Invalid URL (${key})`, type: "invalid_request_error", param: null, code: null } });
}
