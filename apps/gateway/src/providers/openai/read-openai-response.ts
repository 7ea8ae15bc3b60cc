// The upstream's Responses API answer on the passthrough (OpenAI, Azure), checked as loosely as a chat answer
// (read-openai-chat.ts), on the fields the gateway reads: an answer that is not an object with a string `id`
// (the store's key) and an `output` list of objects (replayed by previous_response_id) is the upstream's
// protocol error (502 upstream_protocol_error), never a TypeError in the endpoint (500); and `usage`, which accounting reads and
// the contract promises as counts (ResponseUsage), is made of token counts or is null (sanitize-usage.ts),
// in the JSON answer and in the stream's terminal event alike. Everything else passes as the upstream sent it.
import { UpstreamError } from "../../core/upstream-error";
import { isObject, sanitizeResponsesUsage } from "../sanitize-usage";

/** The answer with its usage sanitized; throws a protocol error when it is not a response object. */
export function readOpenAIResponse(json: unknown): Record<string, unknown> {
  if (!isObject(json)) throw new UpstreamError({ kind: "protocol", message: "response is not a JSON object" });
  if (typeof json.id !== "string") throw new UpstreamError({ kind: "protocol", message: "response has no string id" });
  if (!Array.isArray(json.output) || !json.output.every(isObject)) throw new UpstreamError({ kind: "protocol", message: "response output is not a list of items" });
  if (!("usage" in json)) return json;
  const usage = sanitizeResponsesUsage(json.usage);
  return sameJson(json.usage, usage) ? json : { ...json, usage };
}

/**
 * A terminal event's data (response.completed / incomplete / failed) with its response's usage sanitized: the
 * same string when it was clean (the usual case), so the event is relayed byte for byte. A malformed event, or
 * one without a response object, is the client's to see as it is: the endpoint accounts it as no usage.
 */
export function readResponsesTerminalEvent(data: string): string {
  let ev: unknown;
  try {
    ev = JSON.parse(data);
  } catch {
    return data;
  }
  if (!isObject(ev) || !isObject(ev.response) || !("usage" in ev.response)) return data;
  const usage = sanitizeResponsesUsage(ev.response.usage);
  return sameJson(ev.response.usage, usage) ? data : JSON.stringify({ ...ev, response: { ...ev.response, usage } });
}

/** JSON.stringify writes 1e400 (Infinity) as null: a raw value is clean only when it was already counts. */
function sameJson(raw: unknown, clean: Record<string, unknown> | null): boolean {
  if (clean === null) return raw === null;
  return JSON.stringify(raw) === JSON.stringify(clean);
}
