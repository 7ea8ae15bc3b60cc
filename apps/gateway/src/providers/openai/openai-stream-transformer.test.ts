import { describe, expect, it } from "vitest";
import type { ChunkEvent } from "../../core/provider-contract";
import type { UpstreamError } from "../../core/upstream-error";
import { createOpenAIStreamTransformer } from "./openai-stream-transformer";

/** Runs SSE data payloads through the transformer: what it passes on, and the error if any. */
function run(payloads: string[]): { events: ChunkEvent[]; error?: UpstreamError } {
  const t = createOpenAIStreamTransformer();
  const out: { events: ChunkEvent[]; error?: UpstreamError } = { events: [] };
  const sink = { enqueue: (e: ChunkEvent) => out.events.push(e), error: (e: UpstreamError) => (out.error ??= e) };
  for (const data of payloads) t.transform({ data }, sink);
  t.flush(sink);
  return out;
}

const results = '{"hate":{"filtered":false,"severity":"safe"}}';
const promptAnnotation = `{"id":"","object":"","created":0,"model":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":${results}}],"choices":[],"usage":null}`;
const head = '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1692913344,"model":"gpt-4o-2024-08-06","choices":';
const annotation = (finish: string | null) =>
  `{"id":"","object":"","created":0,"model":"","choices":[{"index":0,"finish_reason":${JSON.stringify(finish)},"content_filter_results":${results},"content_filter_offsets":{"check_offset":9,"start_offset":3,"end_offset":9}}],"usage":null}`;

describe("the OpenAI stream transformer on an Azure OpenAI stream", () => {
  it("passes only the completion's chunks, as their own text, not the content filter's annotations", () => {
    const role = `${head}[{"content_filter_results":{},"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null}`;
    const text = `${head}[{"content_filter_results":${results},"index":0,"delta":{"content":"Color"},"finish_reason":null}],"usage":null}`;
    const stop = `${head}[{"content_filter_results":{},"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}`;
    const usage = `${head}[],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}`;
    const { events, error } = run([promptAnnotation, role, text, annotation(null), stop, annotation(null), usage, "[DONE]"]);
    expect(error).toBeUndefined();
    expect(events.map((e) => e.raw)).toEqual([role, text, stop, usage]);
  });

  it("tells the annotation that ends a filtered reply as a chunk of that completion, with its id and model", () => {
    const text = `${head}[{"index":0,"delta":{"content":"Hey"},"finish_reason":null}],"usage":null}`;
    const { events } = run([promptAnnotation, text, annotation("content_filter"), "[DONE]"]);
    expect(events).toHaveLength(2);
    expect(events[1]!.raw).toBeUndefined();
    expect(events[1]!.chunk).toMatchObject({
      id: "chatcmpl-1",
      object: "chat.completion.chunk",
      created: 1692913344,
      model: "gpt-4o-2024-08-06",
      choices: [{ index: 0, finish_reason: "content_filter", delta: {} }],
    });
  });
});
