// A chat finish_reason -> the response's status and incomplete_details: cut by the output cap or by a content
// filter is `incomplete` (OpenAI's reasons `max_output_tokens` and `content_filter`); anything else completed.

export interface ResponseStatus {
  status: "completed" | "incomplete";
  incomplete_details: { reason: string } | null;
}

export function mapFinishReason(finish: string | null | undefined): ResponseStatus {
  if (finish === "length") return { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } };
  if (finish === "content_filter") return { status: "incomplete", incomplete_details: { reason: "content_filter" } };
  return { status: "completed", incomplete_details: null };
}
