import { describe, expect, it } from "vitest";
import { MetricLabels } from "./metric-labels";

const labels = new MetricLabels({ routes: ["/v1/chat/completions", "/v1/jobs/{job_id}", "/v1/admin/tenants/{tenant_id}/limits"], models: ["gpt-4o-mini"] });

describe("MetricLabels", () => {
  it("maps paths to the spec's templates and anything else to other", () => {
    expect(labels.route("/v1/chat/completions")).toBe("/v1/chat/completions");
    expect(labels.route("/v1/jobs/job_123")).toBe("/v1/jobs/{job_id}");
    expect(labels.route("/v1/admin/tenants/acme/limits")).toBe("/v1/admin/tenants/{tenant_id}/limits");
    expect(labels.route("/v1/jobs/a/b")).toBe("other");
    expect(labels.route("/wp-login.php")).toBe("other");
  });

  it("keeps catalog models, and collapses unknown or missing ones", () => {
    expect(labels.model("gpt-4o-mini")).toBe("gpt-4o-mini");
    expect(labels.model("gpt-4o-mini-typo")).toBe("other");
    expect(labels.model(undefined)).toBe("none");
    expect(labels.model(42)).toBe("none");
  });

  it("reports common statuses exactly and the rest by class", () => {
    expect([200, 429, 499, 503].map((s) => labels.status(s))).toEqual(["200", "429", "499", "503"]);
    expect([201, 304, 418, 507].map((s) => labels.status(s))).toEqual(["2xx", "3xx", "4xx", "5xx"]);
  });
});
