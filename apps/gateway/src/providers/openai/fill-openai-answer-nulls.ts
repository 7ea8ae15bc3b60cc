import type { ChatCompletion } from "../../core/provider-contract";

/**
 * OpenAI's chat answers always carry `message.refusal` and `choices[].logprobs`, null when there is nothing to
 * say, and the contract promises the same of every answer; some OpenAI-compatible servers leave them out. Filling
 * in the nulls where they are missing keeps every answer in one shape and changes nothing in OpenAI's own.
 */
export function fillOpenAIAnswerNulls(completion: ChatCompletion): ChatCompletion {
  for (const choice of completion.choices) {
    if (choice.logprobs === undefined) choice.logprobs = null;
    if (choice.message && choice.message.refusal === undefined) choice.message.refusal = null;
  }
  return completion;
}
