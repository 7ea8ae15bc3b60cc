// Public names for the contract's schemas. Aliases only: the shapes themselves are generated from the OpenAPI
// document into @runestone/contract and inlined into this package's declaration files at build time.
import type { operations, Schema } from "@runestone/contract";

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
export type MessageCreateParams = Schema<"CreateMessageRequest">;
export type Message = Schema<"CreateMessageResponse">;
export type MessageStreamEvent = Schema<"MessageStreamEvent">;
export type EmbeddingCreateParams = Schema<"CreateEmbeddingRequest">;
export type CreateEmbeddingResponse = Schema<"CreateEmbeddingResponse">;
export type Embedding = Schema<"Embedding">;
export type Job = Schema<"Job">;
export type JobStatus = Schema<"JobStatus">;
export type UsageReport = Schema<"UsageReport">;
export type UsageRecord = Schema<"UsageRecord">;
export type DashboardSummary = Schema<"DashboardSummary">;
export type DashboardUsage = Schema<"DashboardUsage">;
export type UsageQuery = NonNullable<operations["getUsage"]["parameters"]["query"]>;
export type ApiKey = Schema<"ApiKey">;
export type ApiKeyList = Schema<"ApiKeyList">;
export type ApiKeyListQuery = NonNullable<operations["listApiKeys"]["parameters"]["query"]>;
export type ApiKeyCreateParams = Schema<"CreateApiKeyRequest">;
export type CreatedApiKey = Schema<"CreatedApiKey">;
export type TenantLimits = Schema<"TenantLimits">;
export type TenantLimitSettings = Schema<"TenantLimitSettings">;
