// Anthropic's own JSON answers on the passthrough (POST /v1/messages and its count_tokens), read where they
// enter, on the fields the gateway reads: a message is an object with a string `id` and a `content` list of
// blocks; a token count has `input_tokens` a token count (sanitize-usage.ts). Anything else is the upstream's
// protocol error (502 upstream_protocol_error, in Anthropic's shape on these routes): never a TypeError in the
// endpoint (a `null` answer was a 500), nor a "12", -5 or null relayed to the client as a count. Everything
// else passes as Anthropic sent it.
import { UpstreamError } from "../../core/upstream-error";
import { isObject, tokenCount } from "../sanitize-usage";

function protocolError(message: string, provider: string): UpstreamError {
  const err = new UpstreamError({ kind: "protocol", message });
  err.provider = provider;
  return err;
}

/** A passthrough message answer, as it came; throws the upstream's protocol error when it is not a message. */
export function readAnthropicMessage(json: unknown, provider: string): Record<string, unknown> {
  if (!isObject(json)) throw protocolError("message is not a JSON object", provider);
  if (typeof json.id !== "string") throw protocolError("message has no string id", provider);
  if (!Array.isArray(json.content) || !json.content.every(isObject)) throw protocolError("message content is not a list of blocks", provider);
  return json;
}

/** A count_tokens answer, as it came; throws the upstream's protocol error when input_tokens is not a token count. */
export function readAnthropicTokenCount(json: unknown, provider: string): Record<string, unknown> & { input_tokens: number } {
  if (!isObject(json) || tokenCount(json.input_tokens) === undefined) throw protocolError("token count has no input_tokens count", provider);
  return json as Record<string, unknown> & { input_tokens: number };
}
