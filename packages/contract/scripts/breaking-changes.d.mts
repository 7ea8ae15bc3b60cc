// Types for breaking-changes.mjs (a plain script, run by node without a build step).
type OpenApiDocument = Record<string, any>;

/** The breaking changes from `oldDoc` to `newDoc` (both bundled OpenAPI documents), as sentences. */
export function findBreakingChanges(oldDoc: OpenApiDocument, newDoc: OpenApiDocument): string[];
/** The major number of a semver-ish version string (`0.1.0` -> 0); NaN when there is none. */
export function majorOf(version: unknown): number;
/** Whether `newDoc` declares a new major version, which allows breaking changes. */
export function declaresMajorChange(oldDoc: OpenApiDocument, newDoc: OpenApiDocument): boolean;
