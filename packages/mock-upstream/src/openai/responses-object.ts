// The Responses API `response` object the mock sends (JSON answers and the stream's response.* events).

export interface ResponseParts {
  id: string;
  createdAt: number;
  model: string;
  body: Record<string, unknown>;
  /** The output items, each with its id. */
  output: Array<Record<string, unknown>>;
  usage: Record<string, unknown>;
  incomplete: boolean;
}

/** The `response` object, as OpenAI sends it (`status` and `usage` as given: in-progress snapshots have none). */
export function responseObject(p: ResponseParts, status: string, output: unknown[], usage: unknown): Record<string, unknown> {
  const b = p.body;
  return {
    id: p.id,
    object: "response",
    created_at: p.createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: status === "incomplete" ? { reason: "max_output_tokens" } : null,
    instructions: b.instructions ?? null,
    max_output_tokens: b.max_output_tokens ?? null,
    model: p.model,
    output,
    parallel_tool_calls: b.parallel_tool_calls ?? true,
    previous_response_id: b.previous_response_id ?? null,
    reasoning: { effort: null, summary: null, ...(b.reasoning as object | undefined) },
    store: b.store ?? true,
    temperature: b.temperature ?? 1,
    text: b.text ?? { format: { type: "text" } },
    tool_choice: b.tool_choice ?? "auto",
    tools: b.tools ?? [],
    top_p: b.top_p ?? 1,
    truncation: "disabled",
    usage,
    user: null,
    metadata: b.metadata ?? {},
  };
}
