// The upstream's Responses API answer on the passthrough (OpenAI, Azure), checked as loosely as a chat answer
// (read-openai-chat.ts), on the fields the gateway reads: the response must be an object with a string `id` (the
// store's key) and an `output` list of items whose `content` / `output` are text or lists of parts (a follow-up
// with previous_response_id replays them, to a translated model too). Anything else is the upstream's protocol
// error (502 upstream_protocol_error; in a stream, an error event instead of its response.completed), never a
// TypeError in the endpoint or in a later request's translation (500), and never stored. `usage`, which
// accounting reads and the contract promises as counts (ResponseUsage), is made of token counts or is null
// (sanitize-usage.ts). Everything else passes as the upstream sent it.
import { UpstreamError } from "../../core/upstream-error";
import { isObject, sanitizeResponsesUsage } from "../sanitize-usage";

/** Text, nothing, or a list of parts that are objects: what a replayed item's content may be. */
const partsOk = (v: unknown) => v === undefined || v === null || typeof v === "string" || (Array.isArray(v) && v.every(isObject));

/** What is wrong with a response object, or undefined when the fields the gateway reads are usable. */
function responseProblem(r: unknown): string | undefined {
  if (!isObject(r)) return "response is not a JSON object";
  if (typeof r.id !== "string") return "response has no string id";
  if (!Array.isArray(r.output)) return "response output is not a list";
  for (const [i, item] of r.output.entries()) {
    if (!isObject(item)) return `output[${i}] is not an object`;
    if (!partsOk(item.content)) return `output[${i}].content is neither text nor a list of parts`;
    if (!partsOk(item.output)) return `output[${i}].output is neither text nor a list of parts`;
  }
  return undefined;
}

/** The answer with its usage sanitized; throws a protocol error when it is not a usable response object. */
export function readOpenAIResponse(json: unknown): Record<string, unknown> {
  const problem = responseProblem(json);
  if (problem) throw new UpstreamError({ kind: "protocol", message: problem });
  const r = json as Record<string, unknown>;
  if (!("usage" in r)) return r;
  const usage = sanitizeResponsesUsage(r.usage);
  return sameJson(r.usage, usage) ? r : { ...r, usage };
}

/**
 * A terminal event's data with its response's usage sanitized: the same string when it was clean (the usual
 * case), so the event is relayed byte for byte. The response of response.completed / response.incomplete (the
 * one kept for previous_response_id) must be usable, as a JSON answer must (a protocol error otherwise); a
 * response.failed (the default `type`) is relayed as it came, its usage sanitized when it has a response object.
 */
export function readResponsesTerminalEvent(data: string, type: "response.completed" | "response.incomplete" | "response.failed" = "response.failed"): string {
  let ev: unknown;
  try {
    ev = JSON.parse(data);
  } catch {
    if (type === "response.failed") return data;
    throw new UpstreamError({ kind: "protocol", message: `${type} event is not JSON` });
  }
  const response = isObject(ev) ? ev.response : undefined;
  if (type !== "response.failed") {
    const problem = responseProblem(response);
    if (problem) throw new UpstreamError({ kind: "protocol", message: `${type}: ${problem}` });
  }
  if (!isObject(ev) || !isObject(response) || !("usage" in response)) return data;
  const usage = sanitizeResponsesUsage(response.usage);
  return sameJson(response.usage, usage) ? data : JSON.stringify({ ...ev, response: { ...response, usage } });
}

/** JSON.stringify writes 1e400 (Infinity) as null: a raw value is clean only when it was already counts. */
function sameJson(raw: unknown, clean: Record<string, unknown> | null): boolean {
  if (clean === null) return raw === null;
  return JSON.stringify(raw) === JSON.stringify(clean);
}
