// POST /v1/responses: the route of the Responses API endpoint (endpoints/responses/), mounted with the
// other model routes by exactPostRoutes (http/exact-paths.ts).
import type { PostRoutes } from "../exact-paths";
import { handleResponses, type ResponsesDeps } from "../../endpoints/responses/responses-endpoint";

export function responsesRoutes(deps: ResponsesDeps): PostRoutes {
  return {
    "/v1/responses": (req, res) => handleResponses(deps, req, res),
  };
}
