// The Messages API shapes of our contract (generated from openapi/), under short names.
import type { Schema } from "@runestone/contract";
import type { ProviderKind } from "../../core/provider-contract";

export type MessagesRequest = Schema<"CreateMessageRequest">;
export type MessageResponse = Schema<"CreateMessageResponse">;
export type MessageBlock = Schema<"MessageContentBlock">;
export type InputMessage = Schema<"InputMessage">;
export type MessageTool = Schema<"MessageTool">;
export type MessageToolChoice = Schema<"MessageToolChoice">;
export type MessageUsage = Schema<"MessageUsage">;
export type MessagesErrorBody = Schema<"MessagesErrorResponse">;
export type CountTokensRequest = Schema<"CountMessageTokensRequest">;
export type TokensCount = Schema<"MessageTokensCount">;

/** The OpenAI-shaped deployment a Messages request is translated for. */
export interface ChatTarget {
  /** The provider kind: `openai` wants `max_completion_tokens` and rejects `top_k`; others take `max_tokens`. */
  kind: ProviderKind;
  /** The catalog model's family: `reasoning` models take `reasoning_effort`. */
  family: string;
}
