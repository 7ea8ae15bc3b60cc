/** Word-level helpers: token counts in the mock are whitespace-separated words, so they are easy to predict in tests. */

export function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

/** Splits into word pieces that keep their trailing spaces, so the pieces join back to the exact text. */
export function splitWords(text: string): string[] {
  const pieces = text.match(/\S+\s*/g) ?? [];
  const lead = text.match(/^\s+/)?.[0];
  if (lead) {
    if (pieces.length === 0) return [lead];
    pieces[0] = lead + pieces[0];
  }
  return pieces;
}

/** Exactly `count` pieces of near-equal length (some empty when the text is shorter than `count`). */
export function splitEven(text: string, count: number): string[] {
  const n = Math.max(1, Math.floor(count));
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(text.slice(Math.floor((i * text.length) / n), Math.floor(((i + 1) * text.length) / n)));
  }
  return out;
}

export function firstWords(text: string, n: number): string {
  return splitWords(text).slice(0, n).join("").trimEnd();
}

/** Text of a message content: a string, or the `text` of its text parts (OpenAI parts and Anthropic blocks alike). */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const texts: string[] = [];
  for (const part of content) {
    if (part && typeof part === "object" && (part as { type?: unknown }).type === "text") {
      const text = (part as { text?: unknown }).text;
      if (typeof text === "string") texts.push(text);
    }
  }
  return texts.join(" ");
}
