// How a request's candidates are chosen and ordered: `default` (the named model's deployments in
// configured or weighted order) or `cost` (every deployment that fits, cheapest first). routing/router.ts
// applies it; events and response headers report it.
export type RoutingPolicy = "default" | "cost";
