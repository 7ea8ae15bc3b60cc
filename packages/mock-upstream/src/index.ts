export { startMockUpstream, type MockUpstream, type StartOptions } from "./server.js";
export type { MockBehavior, BehaveOptions } from "./behavior.js";
export type { RecordedRequest } from "./record.js";
