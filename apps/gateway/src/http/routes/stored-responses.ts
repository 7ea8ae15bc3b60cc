// GET and DELETE /v1/responses/{response_id}, and GET .../input_items: the responses the gateway stored for
// the caller's tenant (POST /v1/responses lives in responses.ts). Another tenant's id is indistinguishable
// from a missing one (404), so ids leak nothing. A state backend that fails (Redis unreachable, the SQLite
// file unusable) is a 503 to retry, never a 500. These routes take no admission: reading is free. A record
// holds one turn: input_items reads the whole conversation back along the chain of stored turns.
import { Router as ExpressRouter, type Response } from "express";
import { contextOf } from "../../core/request-context";
import type { ResponseStore, StoredResponse } from "../../core/response-store";
import { badRequest, HttpError } from "../../core/http-error";
import { conversationItems, loadChain } from "../../endpoints/responses/expand-conversation";
import { stateUnavailable } from "../../core/state-unavailable";

export interface StoredResponseRoutesDeps {
  store: ResponseStore;
  onError: (err: unknown, what: string) => void;
}

export function storedResponseRoutes({ store, onError }: StoredResponseRoutesDeps): ExpressRouter {
  const r = ExpressRouter();
  const notFound = (id: string) =>
    new HttpError({ status: 404, type: "not_found_error", code: "response_not_found", param: "response_id", message: `No response ${id} was found for this API key's tenant.` });
  const tenantOf = (res: Response) => contextOf(res).tenant!.id;
  async function stored<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      // The client's own answer (a 404 for a turn gone from the chain), not the store failing.
      if (err instanceof HttpError && err.status < 500) throw err;
      onError(err, `response store ${what}`);
      throw stateUnavailable(`to ${what} stored responses`);
    }
  }
  const find = async (res: Response, id: string): Promise<StoredResponse> => {
    const found = await stored("read", () => store.get(tenantOf(res), id));
    if (!found) throw notFound(id);
    return found;
  };

  r.get("/v1/responses/:response_id", async (req, res) => {
    // include, include_obfuscation and starting_after shape a replayed stream or extra data: the stored response is answered as is.
    if ((req.query as { stream?: unknown }).stream === true || (req.query as { stream?: unknown }).stream === "true") {
      throw badRequest("Replaying a stored response's event stream (stream=true) is not supported: the gateway keeps the final response only; read it without stream.", "stream", "unsupported_parameter");
    }
    res.json((await find(res, req.params.response_id as string)).response);
  });

  r.delete("/v1/responses/:response_id", async (req, res) => {
    const id = req.params.response_id as string;
    if (!(await stored("delete", () => store.delete(tenantOf(res), id)))) throw notFound(id);
    res.json({ id, object: "response", deleted: true });
  });

  r.get("/v1/responses/:response_id/input_items", async (req, res) => {
    const id = req.params.response_id as string;
    const found = await find(res, id);
    const chain = await stored("read", () =>
      loadChain(store, tenantOf(res), found, (earlier) => new HttpError({ status: 404, type: "not_found_error", code: "response_not_found", param: "response_id", message: `An earlier turn ('${earlier}') of the conversation of ${id} has expired or was deleted, so its input items can no longer be listed.` })),
    );
    const q = req.query as { limit?: string | number; order?: string; after?: string };
    res.json(pageOfItems(conversationItems(chain), { limit: Number(q.limit ?? 20), order: q.order === "asc" ? "asc" : "desc", after: q.after }));
  });
  return r;
}

interface Page {
  object: "list";
  data: Array<Record<string, unknown>>;
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/** One page of a conversation's items; an item without an id of its own is named by its position. */
export function pageOfItems(input: unknown[], opts: { limit: number; order: "asc" | "desc"; after?: string }): Page {
  const items = input.map((item, i) => {
    const obj = item !== null && typeof item === "object" ? (item as Record<string, unknown>) : { type: "message", role: "user", content: item };
    return typeof obj.id === "string" && obj.id ? obj : { ...obj, id: `item_${i}` };
  });
  if (opts.order === "desc") items.reverse();
  let start = 0;
  if (opts.after !== undefined) {
    const at = items.findIndex((it) => it.id === opts.after);
    if (at < 0) throw new HttpError({ status: 400, type: "invalid_request_error", code: "invalid_cursor", param: "after", message: `No input item ${opts.after} in this response.` });
    start = at + 1;
  }
  const data = items.slice(start, start + opts.limit);
  return { object: "list", data, first_id: (data[0]?.id as string) ?? null, last_id: (data.at(-1)?.id as string) ?? null, has_more: start + opts.limit < items.length };
}
