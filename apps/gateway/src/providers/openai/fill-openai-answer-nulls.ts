import type { ChatCompletion } from "../../core/provider-contract";

/**
 * OpenAI's chat answers always carry `message.refusal` and `choices[].logprobs`, null when there is nothing to
 * say, and the contract promises the same of every answer; some OpenAI-compatible servers leave them out. Filling
 * in the nulls where they are missing keeps every answer in one shape and changes nothing in OpenAI's own.
 * Says whether it filled anything (the answer then differs from the upstream's text).
 */
export function fillOpenAIAnswerNulls(completion: ChatCompletion): boolean {
  let filled = false;
  for (const choice of completion.choices) {
    if (choice.logprobs === undefined) {
      choice.logprobs = null;
      filled = true;
    }
    if (choice.message && choice.message.refusal === undefined) {
      choice.message.refusal = null;
      filled = true;
    }
  }
  return filled;
}
