// The prompt tokens of a Responses API request, by the gateway's one rule (core/estimate-tokens.ts): about
// four characters per token of instructions, input text, arguments and outputs, a few per item, and a flat
// cost per image or file; tool definitions by their JSON's length.
import { tokensForChars } from "../../core/estimate-tokens";
import type { ResponsesBody } from "./responses-types";

const TOKENS_PER_ITEM = 4;
const TOKENS_PER_REQUEST = 3;
const TOKENS_PER_IMAGE = 765;

export function estimateResponsePromptTokens(body: Pick<ResponsesBody, "input" | "instructions" | "tools">): number {
  let tokens = TOKENS_PER_REQUEST;
  let chars = typeof body.instructions === "string" ? body.instructions.length : 0;
  const items = typeof body.input === "string" ? [{ content: body.input }] : (body.input ?? []);
  for (const item of items as Array<Record<string, unknown>>) {
    tokens += TOKENS_PER_ITEM;
    for (const field of ["content", "output", "arguments", "name"]) {
      const v = item[field];
      if (typeof v === "string") chars += v.length;
      else if (Array.isArray(v)) {
        for (const p of v as Array<Record<string, unknown>>) {
          if (typeof p?.text === "string") chars += p.text.length;
          else if (p?.type === "input_image" || p?.type === "input_file") tokens += TOKENS_PER_IMAGE;
        }
      }
    }
  }
  if (body.tools?.length) chars += JSON.stringify(body.tools).length;
  return tokens + tokensForChars(chars);
}
