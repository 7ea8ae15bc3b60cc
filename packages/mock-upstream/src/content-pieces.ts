import type { MockBehavior } from "./behavior.js";
import { splitEven, splitWords } from "./text.js";

const HUGE_PIECE = 4096;

/** How text is cut into stream deltas: `chunks` even pieces, else one per word (4 KiB pieces for huge replies). */
export function contentPieces(text: string, behavior: MockBehavior): string[] {
  if (behavior.chunks !== undefined) return splitEven(text, behavior.chunks);
  if (behavior.hugeResponseBytes) return splitEven(text, Math.ceil(text.length / HUGE_PIECE));
  return splitWords(text);
}

/** Tool arguments stream in a few fragments, as providers send them. */
export function argumentFragments(args: string): string[] {
  return args.length === 0 ? [] : splitEven(args, Math.min(3, args.length));
}
