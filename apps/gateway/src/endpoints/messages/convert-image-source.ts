// Anthropic image and document sources -> OpenAI content parts.
import { RequestTranslationError } from "../../providers/anthropic";
import type { MessageBlock } from "./messages-types";

export type OpenAIPart =
  | { type: "text"; text: string }
  | { type: "image_url"; image_url: { url: string } }
  | { type: "file"; file: { filename: string; file_data: string } };

export function convertImage(block: MessageBlock, param: string): OpenAIPart {
  const source = block.source;
  if (source?.type === "base64" && source.data && source.media_type) {
    return { type: "image_url", image_url: { url: `data:${source.media_type};base64,${source.data}` } };
  }
  if (source?.type === "url" && source.url) return { type: "image_url", image_url: { url: source.url } };
  throw new RequestTranslationError("an image needs a base64 source (media_type and data) or a url source for this model", `${param}.source`);
}

/** PDFs travel as OpenAI file parts (data URLs); plain-text documents as text. */
export function convertDocument(block: MessageBlock, param: string): OpenAIPart {
  const source = block.source;
  if (source?.type === "base64" && source.data && source.media_type === "application/pdf") {
    const title = typeof block.title === "string" && block.title ? block.title : "document.pdf";
    return { type: "file", file: { filename: title, file_data: `data:application/pdf;base64,${source.data}` } };
  }
  if (source?.type === "text" && typeof source.data === "string") return { type: "text", text: source.data };
  throw new RequestTranslationError("this model takes documents as base64 PDFs or plain text only", `${param}.source`);
}
