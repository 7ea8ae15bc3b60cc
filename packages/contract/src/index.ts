import document from "./generated/openapi.json";
import type { components, operations, paths } from "./generated/schema";

export type { components, operations, paths };

/** The bundled OpenAPI document (all $refs resolved into one file). */
export const openapiDocument: Record<string, unknown> = document as Record<string, unknown>;

/** Shorthand for a named schema of the contract. */
export type Schema<Name extends keyof components["schemas"]> = components["schemas"][Name];
