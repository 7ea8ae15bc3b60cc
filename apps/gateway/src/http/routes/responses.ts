// POST /v1/responses: the Express mount of the Responses API endpoint (endpoints/responses/).
import { Router as ExpressRouter } from "express";
import { handleResponses, type ResponsesDeps } from "../../endpoints/responses/responses-endpoint";

export function responsesRoutes(deps: ResponsesDeps): ExpressRouter {
  const r = ExpressRouter();
  r.post("/v1/responses", (req, res) => handleResponses(deps, req, res));
  return r;
}
