// Public names for the contract's schemas. Aliases only: the shapes themselves are generated from the OpenAPI
// document into @runestone/contract and inlined into this package's declaration files at build time.
import type { Schema } from "@runestone/contract";

export type { components, operations, paths } from "@runestone/contract";

export type ChatCompletionCreateParams = Schema<"CreateChatCompletionRequest">;
export type ChatCompletion = Schema<"CreateChatCompletionResponse">;
export type ChatCompletionChunk = Schema<"ChatCompletionChunk">;
export type ChatCompletionMessage = Schema<"ChatCompletionMessage">;
export type ChatMessage = Schema<"ChatMessage">;
export type Tool = Schema<"Tool">;
export type ToolCall = Schema<"ToolCall">;
export type Usage = Schema<"Usage">;
export type QueuedResponse = Schema<"QueuedResponse">;
export type ErrorObject = Schema<"ErrorObject">;
export type ErrorResponse = Schema<"ErrorResponse">;
export type Model = Schema<"Model">;
export type ModelList = Schema<"ModelList">;
export type HealthResponse = Schema<"HealthResponse">;
export type LivenessResponse = Schema<"LivenessResponse">;
export type ReadinessResponse = Schema<"ReadinessResponse">;
