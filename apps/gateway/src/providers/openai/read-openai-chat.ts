// The upstream's chat answer and stream chunks, checked loosely: only the fields the gateway reads (choices,
// each choice's message or delta, their text, tool call arguments and finish reason, and usage). A broken
// shape (`choices: [null]`, a delta that is a string, a chunk that is not an object) is the upstream's
// protocol error (502 upstream_protocol_error), never a TypeError deep in a route (500). Usage that is not
// made of token counts is dropped (sanitize-usage.ts). Everything else passes as the upstream sent it.
import { isCleanUsage, isObject, sanitizeOpenAIUsage } from "../sanitize-usage";
import type { ChatCompletion, ChatCompletionChunk } from "../../core/provider-contract";
import { UpstreamError } from "../../core/upstream-error";

const optionalString = (v: unknown) => v === undefined || v === null || typeof v === "string";

/** What is wrong with a choice's message (or delta), or undefined when the fields we read are usable. */
function partProblem(part: unknown, name: string): string | undefined {
  if (!isObject(part)) return `${name} is not an object`;
  if (!optionalString(part.content)) return `${name}.content is not a string`;
  if (!optionalString(part.reasoning_content)) return `${name}.reasoning_content is not a string`;
  if (!optionalString(part.role)) return `${name}.role is not a string`;
  if (!optionalString(part.refusal)) return `${name}.refusal is not a string`;
  const calls = part.tool_calls;
  if (calls === undefined || calls === null) return undefined;
  if (!Array.isArray(calls)) return `${name}.tool_calls is not an array`;
  for (const c of calls) {
    if (!isObject(c)) return `${name}.tool_calls holds a non-object`;
    if (c.function !== undefined && (!isObject(c.function) || !optionalString(c.function.arguments) || !optionalString(c.function.name))) return `${name}.tool_calls has a malformed function`;
    // A whole message's function call must say what it calls (a stream's later fragments need not).
    if (name.endsWith("message") && (c.type === undefined || c.type === "function") && !isObject(c.function)) return `${name}.tool_calls has a call without its function`;
  }
  return undefined;
}

function choicesProblem(choices: unknown, part: "message" | "delta"): string | undefined {
  if (!Array.isArray(choices)) return "choices is not an array";
  for (const [i, c] of choices.entries()) {
    if (!isObject(c)) return `choices[${i}] is not an object`;
    if (!optionalString(c.finish_reason)) return `choices[${i}].finish_reason is not a string`;
    // A chunk's choice without a delta (some servers end that way) reads as an empty delta.
    if (part === "delta" && c.delta === undefined) c.delta = {};
    const p = partProblem(c[part], `choices[${i}].${part}`);
    if (p) return p;
  }
  return undefined;
}

/** A non-streaming answer: the completion with its usage sanitized, or a protocol error. */
export function readChatCompletion(json: unknown): ChatCompletion {
  if (!isObject(json)) throw protocolError("the chat completion is not a JSON object");
  const problem = choicesProblem(json.choices, "message");
  if (problem) throw protocolError(`chat completion: ${problem}`);
  // Absent, or already made of counts: the answer is returned as parsed (the same object), so its text can be sent as is.
  if (json.usage === undefined || isCleanUsage(json.usage)) return json as unknown as ChatCompletion;
  const usage = sanitizeOpenAIUsage(json.usage);
  const out = { ...json } as Record<string, unknown>;
  if (usage) out.usage = usage;
  else delete out.usage;
  return out as unknown as ChatCompletion;
}

/**
 * A parsed stream chunk: the chunk to pass on (and whether its raw text still says the same), nothing when it
 * carries nothing for the client, or a protocol error. A chunk carries something when one of its choices has
 * a delta or a finish reason, or it reports usable usage (OpenAI's usage chunk has no choices). Azure OpenAI's
 * content filter annotations carry neither: the prompt's (`choices: []`, `usage: null`, first in every stream)
 * and the completion's (a choice with only `content_filter_results`, even after the finish chunk), all with an
 * empty id and model. Passed on, the first would be the client's first chunk, without `choices[0]`.
 */
export function readChatChunk(parsed: unknown): { chunk: ChatCompletionChunk; rawIsExact: boolean } | undefined {
  if (!isObject(parsed)) throw protocolError("stream chunk is not a JSON object");
  const choices = parsed.choices;
  let hadDeltas = Array.isArray(choices);
  let carries = false;
  if (hadDeltas) {
    for (const c of choices as unknown[]) {
      if (!isObject(c)) continue; // a protocol error, told below
      if (c.delta === undefined) hadDeltas = false;
      else carries = true;
      if (c.finish_reason !== undefined && c.finish_reason !== null) carries = true;
    }
  }
  const problem = choicesProblem(choices, "delta");
  if (problem) throw protocolError(`stream chunk: ${problem}`);
  let rawIsExact = hadDeltas;
  if (parsed.usage !== undefined && parsed.usage !== null) {
    if (isCleanUsage(parsed.usage)) carries = true;
    else {
      const usage = sanitizeOpenAIUsage(parsed.usage);
      rawIsExact = false;
      if (usage) {
        parsed.usage = usage;
        carries = true;
      } else delete parsed.usage;
    }
  }
  if (!carries) return undefined;
  return { chunk: parsed as unknown as ChatCompletionChunk, rawIsExact };
}

function protocolError(message: string): UpstreamError {
  return new UpstreamError({ kind: "protocol", message });
}
