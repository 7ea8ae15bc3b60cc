import type {
  AnthropicContentBlock,
  AnthropicDocumentBlock,
  AnthropicImageBlock,
  AnthropicTextBlock,
} from "./anthropic-types";
import type { OpenAIContentPart } from "./openai-input-types";
import { RequestTranslationError } from "../../core/request-translation-error";

const DATA_URL = /^data:([^;,]+)?((?:;[^;,]+)*?);base64,(.*)$/s;

/** User (or system) content: a string or text / image / file parts. Empty text is dropped, never sent as a block. */
export function convertToAnthropicContent(content: string | OpenAIContentPart[] | null | undefined, param: string): AnthropicContentBlock[] {
  if (content == null) return [];
  if (typeof content === "string") return textBlocks(content);
  const blocks: AnthropicContentBlock[] = [];
  content.forEach((part, j) => {
    const block = convertPart(part, `${param}.${j}`);
    if (block) blocks.push(block);
  });
  return blocks;
}

/** Text only (system, developer, assistant and tool content); other part kinds are refused. */
export function convertToAnthropicText(content: string | OpenAIContentPart[] | null | undefined, param: string): AnthropicTextBlock[] {
  if (content == null) return [];
  if (typeof content === "string") return textBlocks(content);
  const blocks: AnthropicTextBlock[] = [];
  content.forEach((part, j) => {
    if (part.type === "text") {
      if (part.text) blocks.push(withCache({ type: "text", text: part.text }, part));
    } else if (part.type === "refusal") {
      // A past refusal is history the model said; keep it as text so the conversation reads the same.
      if (part.refusal) blocks.push({ type: "text", text: part.refusal });
    } else {
      throw new RequestTranslationError(`content part type '${String(part.type)}' is not supported here`, `${param}.${j}.type`);
    }
  });
  return blocks;
}

function textBlocks(text: string): AnthropicTextBlock[] {
  return text === "" ? [] : [{ type: "text", text }];
}

function convertPart(part: OpenAIContentPart, param: string): AnthropicContentBlock | undefined {
  switch (part.type) {
    case "text":
      return part.text ? withCache({ type: "text", text: part.text }, part) : undefined;
    case "image_url":
      return withCache(convertImage(part.image_url?.url, `${param}.image_url.url`), part);
    case "file":
      return withCache(convertFile(part.file, `${param}.file`), part);
    default:
      throw new RequestTranslationError(
        `content part type '${String(part.type)}' is not supported by Anthropic models`,
        `${param}.type`,
      );
  }
}

function convertImage(url: string | undefined, param: string): AnthropicImageBlock {
  if (!url) throw new RequestTranslationError("image_url.url is required", param);
  if (url.startsWith("data:")) {
    const m = DATA_URL.exec(url);
    if (!m || !m[1]) throw new RequestTranslationError("image data URLs must look like data:<media type>;base64,<data>", param);
    return { type: "image", source: { type: "base64", media_type: m[1], data: m[3] ?? "" } };
  }
  if (/^https?:\/\//i.test(url)) return { type: "image", source: { type: "url", url } };
  throw new RequestTranslationError("image_url.url must be an http(s) URL or a base64 data URL", param);
}

function convertFile(file: OpenAIContentPart["file"], param: string): AnthropicDocumentBlock {
  if (!file?.file_data) {
    // Anthropic cannot read an OpenAI file id: the bytes live at OpenAI.
    throw new RequestTranslationError("only inline files (file.file_data) are supported by Anthropic models", file?.file_id ? `${param}.file_id` : `${param}.file_data`);
  }
  const m = DATA_URL.exec(file.file_data);
  const mediaType = m ? m[1] : file.filename?.toLowerCase().endsWith(".pdf") ? "application/pdf" : undefined;
  const data = m ? (m[3] ?? "") : file.file_data;
  if (mediaType !== "application/pdf") {
    throw new RequestTranslationError("only PDF files are supported by Anthropic models", `${param}.file_data`);
  }
  return { type: "document", source: { type: "base64", media_type: "application/pdf", data } };
}

/** `cache_control` is an Anthropic extra a client may put on a part to mark a prompt-cache breakpoint. */
function withCache<T extends AnthropicTextBlock | AnthropicImageBlock | AnthropicDocumentBlock>(block: T, part: OpenAIContentPart): T {
  return part.cache_control ? { ...block, cache_control: part.cache_control } : block;
}
