import type { MockBehavior } from "./behavior.js";
import type { Exchange } from "./exchange.js";
import type { IdSource } from "./ids.js";

export interface RouteContext {
  ex: Exchange;
  /** The parsed JSON body (an empty object for bodiless requests). */
  body: Record<string, unknown>;
  /** The request model with any `::` directives removed. */
  model: string | undefined;
  behavior: MockBehavior;
  ids: IdSource;
}

export interface Route {
  /** Which provider's error shape this route answers with. */
  flavor: "openai" | "anthropic";
  handle(ctx: RouteContext): void | Promise<void>;
}
