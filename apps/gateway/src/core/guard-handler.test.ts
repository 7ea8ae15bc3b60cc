import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { guarded, reportHandlerErrorsTo } from "./guard-handler";

describe("guarded", () => {
  it("turns a throwing handler and a rejecting one into warnings, never a throw", async () => {
    const warnings: string[] = [];
    reportHandlerErrorsTo({ warn: ((fields: { handler: string; err: { message: string } }) => warnings.push(`${fields.handler}: ${fields.err.message}`)) as never });
    const emitter = new EventEmitter();
    emitter.on("finish", guarded("sync", () => {
      throw new TypeError("Value is not a valid number");
    }));
    emitter.on("finish", guarded("async", () => Promise.reject(new Error("state backend down"))));
    expect(() => emitter.emit("finish")).not.toThrow();
    await new Promise((r) => setImmediate(r));
    expect(warnings).toEqual(["sync: Value is not a valid number", "async: state backend down"]);
  });
});
