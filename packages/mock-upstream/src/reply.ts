import type { MockBehavior } from "./behavior.js";
import { countWords, firstWords } from "./text.js";

/** What the request asks of the reply, read from either wire format. */
export interface ReplyInput {
  lastUserText: string;
  /** Name of the tool to call, when the request calls for a tool call. */
  toolName?: string;
  json: boolean;
  maxTokens?: number;
  stop: string[];
}

export type StopKind = "stop" | "length" | "tool_calls" | "stop_sequence";

export interface ReplyPlan {
  content: string | null;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  thinking?: { text: string; signature: string };
  stop: StopKind;
  stopSequence: string | null;
  /** Words of text content plus tool call arguments; thinking words are counted apart. */
  outputWords: number;
  thinkingWords: number;
}

const PAD_WORD = " lorem";

/** The deterministic reply: an echo of the last user text, a tool call, or whatever `behavior.reply` says. */
export function planReply(input: ReplyInput, behavior: MockBehavior, toolId: (i: number) => string): ReplyPlan {
  const override = behavior.reply;
  const calls =
    override?.toolCalls ??
    (override?.content === undefined && input.toolName
      ? [{ name: input.toolName, arguments: JSON.stringify({ input: input.lastUserText }) }]
      : []);
  let content: string | null =
    override?.content ??
    (calls.length > 0 ? null : input.json ? JSON.stringify({ echo: input.lastUserText }) : `echo: ${input.lastUserText}`);

  if (content !== null && behavior.hugeResponseBytes && behavior.hugeResponseBytes > content.length) {
    content += PAD_WORD.repeat(Math.ceil((behavior.hugeResponseBytes - content.length) / PAD_WORD.length));
  }

  let stop: StopKind = calls.length > 0 ? "tool_calls" : "stop";
  let stopSequence: string | null = null;
  if (content !== null && calls.length === 0) {
    for (const seq of input.stop) {
      const at = seq ? content.indexOf(seq) : -1;
      if (at >= 0) {
        content = content.slice(0, at);
        stop = "stop_sequence";
        stopSequence = seq;
        break;
      }
    }
    if (input.maxTokens !== undefined && countWords(content) > input.maxTokens) {
      content = firstWords(content, input.maxTokens);
      stop = "length";
      stopSequence = null;
    }
  }

  let outputWords = content === null ? 0 : countWords(content);
  for (const c of calls) outputWords += countWords(c.arguments);
  return {
    content,
    toolCalls: calls.map((c, i) => ({ id: toolId(i), name: c.name, arguments: c.arguments })),
    thinking: override?.thinking,
    stop,
    stopSequence,
    outputWords,
    thinkingWords: override?.thinking ? countWords(override.thinking.text) : 0,
  };
}

export function stopList(stop: unknown): string[] {
  if (typeof stop === "string") return [stop];
  if (Array.isArray(stop)) return stop.filter((s): s is string => typeof s === "string");
  return [];
}

export function positiveInt(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : undefined;
}
