// The operations that start model work, as "METHOD /path" (the spec's paths; none has a parameter).
// Shared by the drain (which refuses them while shutting down) and the dashboard's traffic counts
// (which count only them: job polls, usage reads and the admin API are not model traffic).
export const MODEL_CALLS: ReadonlySet<string> = new Set(["POST /v1/chat/completions", "POST /v1/chat/stream", "POST /v1/messages", "POST /v1/responses", "POST /v1/embeddings"]);

export function isModelCall(method: string, path: string): boolean {
  return MODEL_CALLS.has(`${method} ${path}`);
}
