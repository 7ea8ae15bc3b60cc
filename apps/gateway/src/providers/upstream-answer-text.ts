// The upstream's own JSON text of a chat answer that its adapter passed on unchanged (an OpenAI-shaped answer
// whose usage was already made of counts and whose nulls were already there). The chat endpoint then sends
// those bytes with Runestone's fields spliced in, instead of serializing the parsed answer again (~10 µs and a
// copy per request, bench/README.md "Toward issue 14"). The answer is still parsed and read: usage, finish
// reasons and the cache use the object. An adapter that changes anything simply does not mark its answer.
const texts = new WeakMap<object, string | undefined>();

/** The adapter's word that `answer` is the upstream's parsed JSON, untouched. */
export function markUnchanged(answer: object): void {
  texts.set(answer, undefined);
}

/** Keeps `text` as the answer's bytes when its adapter marked it unchanged. */
export function keepTextIfUnchanged(answer: object, text: string): void {
  if (texts.has(answer)) texts.set(answer, text);
}

/** The upstream's text of an unchanged answer, if any. */
export function upstreamTextOf(answer: object): string | undefined {
  return texts.get(answer);
}
