// A loose view of the OpenAI-format request fields this adapter reads, including the extras it accepts
// (`reasoning_content`, `reasoning_signature`, `thinking_blocks`, `thinking`, `cache_control`). The body was
// validated against the contract already; reading it through these shapes keeps the converters independent
// of how the generated union types are spelled.

export interface OpenAIContentPart {
  type?: string;
  text?: string;
  refusal?: string;
  image_url?: { url?: string; detail?: string };
  file?: { file_id?: string; file_data?: string; filename?: string };
  cache_control?: { type: string; [key: string]: unknown };
}

export interface OpenAIToolCall {
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

export interface OpenAIThinkingBlockInput {
  type?: string;
  thinking?: string;
  signature?: string;
  data?: string;
}

export interface OpenAIMessage {
  role?: string;
  content?: string | OpenAIContentPart[] | null;
  name?: string;
  tool_calls?: OpenAIToolCall[];
  tool_call_id?: string;
  function_call?: { name?: string; arguments?: string } | null;
  reasoning_content?: string | null;
  reasoning_signature?: string | null;
  thinking_blocks?: OpenAIThinkingBlockInput[];
}

export interface OpenAIFunctionDefinition {
  name?: string;
  description?: string;
  parameters?: Record<string, unknown>;
}

export interface OpenAITool {
  type?: string;
  function?: OpenAIFunctionDefinition;
  cache_control?: { type: string; [key: string]: unknown };
}

export type OpenAIToolChoice =
  | string
  | {
      type?: string;
      function?: { name?: string };
      allowed_tools?: { mode?: string; tools?: Array<{ type?: string; function?: { name?: string } }> };
    };

export interface OpenAIResponseFormat {
  type?: string;
  json_schema?: { name?: string; description?: string; schema?: Record<string, unknown> };
}

export interface OpenAIRequestView {
  messages?: OpenAIMessage[];
  tools?: OpenAITool[];
  tool_choice?: OpenAIToolChoice;
  functions?: OpenAIFunctionDefinition[];
  function_call?: string | { name?: string };
  parallel_tool_calls?: boolean;
  response_format?: OpenAIResponseFormat;
  modalities?: string[] | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  stop?: string | string[] | null;
  user?: string;
  temperature?: number | null;
  top_p?: number | null;
  top_k?: number | null;
  n?: number | null;
  reasoning_effort?: string | null;
  thinking?: { type?: string; budget_tokens?: number; [key: string]: unknown } | null;
}
