// Azure OpenAI's content filter annotations, as its chat answers and streams carry them (Microsoft's
// "Content streaming" concept page and the 2024-10-21 inference spec): prompt_filter_results beside the
// answer, content_filter_results in each choice, and in a stream chunks that carry only annotations, with an
// empty id, object and model, created 0, and no delta.

const SAFE = { filtered: false, severity: "safe" } as const;

/** Every category passed at severity safe: what a harmless prompt or reply gets. */
export const SAFE_FILTER_RESULTS = { hate: SAFE, self_harm: SAFE, sexual: SAFE, violence: SAFE };

/** The answer's (or stream's) `prompt_filter_results`: one prompt, passed. */
export const PROMPT_FILTER_RESULTS = [{ prompt_index: 0, content_filter_results: SAFE_FILTER_RESULTS }];

/** JSON text of `"content_filter_results":{...}` for a choice that carries text (or a tool call), to splice into a chunk's choice. */
export const CHOICE_FILTER_MEMBER = `"content_filter_results":${JSON.stringify(SAFE_FILTER_RESULTS)},`;

/** The same member for a choice with nothing to filter (the role chunk, the finish chunk), as Azure sends it. */
export const EMPTY_CHOICE_FILTER_MEMBER = `"content_filter_results":{},`;

/** A stream's first event: the prompt's annotation, before any completion chunk. */
export const PROMPT_ANNOTATION_CHUNK = JSON.stringify({
  id: "",
  object: "",
  created: 0,
  model: "",
  prompt_filter_results: PROMPT_FILTER_RESULTS,
  choices: [],
  usage: null,
});

/**
 * An annotation-only chunk of the Asynchronous Filter: the results for text already sent (offsets in
 * characters, counted from the start of the prompt), with no delta and no new tokens.
 */
export function completionAnnotationChunk(index: number, startOffset: number, endOffset: number): string {
  return JSON.stringify({
    id: "",
    object: "",
    created: 0,
    model: "",
    choices: [
      {
        index,
        finish_reason: null,
        content_filter_results: SAFE_FILTER_RESULTS,
        content_filter_offsets: { check_offset: endOffset, start_offset: startOffset, end_offset: endOffset },
      },
    ],
    usage: null,
  });
}
