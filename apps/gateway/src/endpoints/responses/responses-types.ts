// The Responses API shapes of our contract (generated from openapi/), under short names.
import type { Schema } from "@runestone/contract";

export type ResponsesRequest = Schema<"CreateResponseRequest">;
export type ResponseObject = Schema<"ResponseObject">;
export type ResponseInputItem = Schema<"ResponseInputItem">;
export type ResponseContentPart = Schema<"ResponseInputContentPart">;
export type ResponseOutputItem = Schema<"ResponseOutputItem">;
export type ResponseUsage = NonNullable<Schema<"ResponseUsage">>;
export type ResponseTool = Schema<"ResponseTool">;
export type ResponseToolChoice = Schema<"ResponseToolChoice">;

/** The request as it arrived: the typed fields plus whatever else the client sent. */
export type ResponsesBody = ResponsesRequest & Record<string, unknown>;
