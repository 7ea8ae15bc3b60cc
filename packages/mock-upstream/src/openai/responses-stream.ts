import { argumentFragments, contentPieces } from "../content-pieces.js";
import type { RouteContext } from "../route.js";
import { jsonText } from "../raw-json.js";
import { sendStream, type SseEvent } from "../sse.js";
import { responseObject, type ResponseParts } from "./responses-object.js";

/** Plans a Responses API event sequence (named events, each with its sequence_number) and sends it with the behaviour's faults. */
export function streamResponse(ctx: RouteContext, p: ResponseParts): Promise<void> {
  const events: SseEvent[] = [];
  let seq = 0;
  // `usageJson` replaces the usage of the events that carry one (the terminal event; in-progress snapshots have null).
  const add = (type: string, fields: Record<string, unknown>, flags: Partial<SseEvent> = {}) =>
    events.push({ event: type, data: jsonText({ type, sequence_number: seq++, ...fields }, flags.done ? ctx.behavior : undefined), ...flags });

  add("response.created", { response: responseObject(p, "in_progress", [], null) });
  add("response.in_progress", { response: responseObject(p, "in_progress", [], null) });
  p.output.forEach((item, output_index) => {
    const item_id = item.id as string;
    if (item.type === "message") {
      const text = (item.content as Array<{ text: string }>)[0]!.text;
      add("response.output_item.added", { output_index, item: { ...item, status: "in_progress", content: [] } });
      add("response.content_part.added", { item_id, output_index, content_index: 0, part: { type: "output_text", text: "", annotations: [] } });
      for (const delta of contentPieces(text, ctx.behavior)) {
        add("response.output_text.delta", { item_id, output_index, content_index: 0, delta, logprobs: [] }, { content: true });
      }
      add("response.output_text.done", { item_id, output_index, content_index: 0, text, logprobs: [] });
      add("response.content_part.done", { item_id, output_index, content_index: 0, part: { type: "output_text", text, annotations: [] } });
    } else {
      const args = item.arguments as string;
      add("response.output_item.added", { output_index, item: { ...item, status: "in_progress", arguments: "" } });
      for (const delta of argumentFragments(args)) {
        add("response.function_call_arguments.delta", { item_id, output_index, delta }, { content: true });
      }
      add("response.function_call_arguments.done", { item_id, output_index, name: item.name, arguments: args });
    }
    add("response.output_item.done", { output_index, item });
  });
  const final = p.incomplete ? "response.incomplete" : "response.completed";
  add(final, { response: responseObject(p, p.incomplete ? "incomplete" : "completed", p.output, p.usage) }, { done: true });

  const error: SseEvent = {
    event: "error",
    data: JSON.stringify({ type: "error", code: "server_error", message: "The server had an error while processing your request.", param: null, sequence_number: seq }),
  };
  return sendStream(ctx.ex, events, ctx.behavior, error);
}
