// OpenAI tool call arguments (JSON text) -> an Anthropic tool_use input (an object).

/** Arguments that are not a JSON object (a model's malformed output) become `{}`, as Anthropic's input must be an object. */
export function parseToolInput(args: string | undefined): Record<string, unknown> {
  if (!args) return {};
  try {
    const parsed: unknown = JSON.parse(args);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
