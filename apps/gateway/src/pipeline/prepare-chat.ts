// Request -> a prepared chat: routing plan, the body to forward, and how to build each
// deployment's call. Shared by the HTTP route and the overflow queue's worker.
import type { ChatCall, ChatRequest } from "../core/provider-contract";
import type { Router } from "../routing/router";
import type { Candidate, RoutePlan } from "../core/route-plan";
import type { Tenant } from "../core/tenant";
import { withoutRunestoneFields } from "../core/runestone-fields";

export interface PreparedChat {
  /** The request as the client sent it (Runestone fields included). */
  body: ChatRequest & Record<string, unknown>;
  /** What goes to providers: the client's body without Runestone's fields. */
  forward: ChatRequest & Record<string, unknown>;
  stream: boolean;
  clientWantsUsage: boolean;
  plan: RoutePlan;
  requestId: string;
  tenant: Tenant;
}

export function prepareChat(
  router: Router,
  body: ChatRequest & Record<string, unknown>,
  tenant: Tenant,
  requestId: string,
  forceStream = false,
): PreparedChat {
  const stream = forceStream || body.stream === true;
  const plan = router.route(body, tenant.allowedModels, { stream });
  const forward = withoutRunestoneFields(body);
  const clientWantsUsage = stream && (body.stream_options as { include_usage?: boolean } | null | undefined)?.include_usage === true;
  return { body, forward, stream, clientWantsUsage, plan, requestId, tenant };
}

export function callFor(p: PreparedChat, c: Candidate): ChatCall {
  return chatCallFor(p.forward, c, { stream: p.stream, clientWantsUsage: p.clientWantsUsage, requestId: p.requestId });
}

/**
 * One deployment's call for a chat body: the deployment's names and catalog defaults. Also the call of the
 * endpoints that translate to chat (Messages, Responses), which always want the usage chunk: their own
 * final event reports it.
 */
export function chatCallFor(body: ChatCall["body"], c: Candidate, o: Pick<ChatCall, "stream" | "clientWantsUsage" | "requestId">): ChatCall {
  return {
    body,
    upstreamModel: c.upstreamModel,
    publicModel: c.model.id,
    stream: o.stream,
    clientWantsUsage: o.clientWantsUsage,
    defaultMaxTokens: c.model.maxOutputTokens,
    defaultsWithTools: c.model.defaultsWithTools,
    requestId: o.requestId,
  };
}

/** The same request as a non-streaming one (queued jobs store the whole completion). */
export function asNonStreaming(p: PreparedChat): PreparedChat {
  const forward = { ...p.forward };
  delete forward.stream;
  delete forward.stream_options;
  return { ...p, forward, stream: false, clientWantsUsage: false };
}
