export { createClient, type RunestoneClient } from "./create-client";
export type { ClientOptions, RequestOptions } from "./client-options";
export type { ChatCompletionCreateParamsNonStreaming, ChatCompletionCreateParamsStreaming } from "./operations/create-chat-completion";
export type { MessageCreateParamsNonStreaming } from "./operations/create-message";
export type { WaitOptions } from "./operations/wait-for-job";
export { isQueued } from "./is-queued";
export { Stream } from "./streaming/stream";
export * from "./errors/index";
export type * from "./types";
