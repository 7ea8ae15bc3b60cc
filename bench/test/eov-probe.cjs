// Preloaded (node --require) into a card floor or gateway process by validator-paths.test.ts: counts which
// of express-openapi-validator's code paths run, without changing what they do. On SIGUSR2 it writes the
// counts so far to $RS_EOV_PROBE_OUT (JSON). RS_EOV_PROBE_DIR is the package's directory (its real path, the
// one the process loads).
const { writeFileSync } = require("node:fs");
const { join } = require("node:path");

const dir = process.env.RS_EOV_PROBE_DIR;
const out = process.env.RS_EOV_PROBE_OUT;
const counts = {
  stockChains: 0, // installMiddleware calls that built the package's own chain
  fastChains: 0, // ... that built the patch's opt-in chain (rsInstallFastMiddleware)
  contentTypeFrom: 0, // Content-Type headers parsed (the stock request validator parses one per request)
  pathToRegexp: 0, // route patterns compiled (the stock metadata middleware compiles them per request)
  syncNext: 0, // a validator middleware called next before it returned
  asyncNext: 0, // ... after it returned (the stock chain runs each step in a promise reaction)
  builtMiddlewares: 0, // request validator middlewares built (each compiles its schemas with ajv, kept for good)
};

const util = require(join(dir, "dist/middlewares/util.js"));
const from = util.ContentType.from;
util.ContentType.from = function (...args) {
  counts.contentTypeFrom++;
  return from.apply(this, args);
};
const p2r = require(require.resolve("path-to-regexp", { paths: [join(dir, "dist")] }));
const pathToRegexp = p2r.pathToRegexp;
p2r.pathToRegexp = function (...args) {
  counts.pathToRegexp++;
  return pathToRegexp.apply(this, args);
};
const requestValidators = require(join(dir, "dist/middlewares/openapi.request.validator.js"));
for (const cls of [requestValidators.RequestValidator, requestValidators.RsFastRequestValidator]) {
  if (!cls || !Object.prototype.hasOwnProperty.call(cls.prototype, "buildMiddleware")) continue;
  const build = cls.prototype.buildMiddleware;
  cls.prototype.buildMiddleware = function (...args) {
    counts.builtMiddlewares++;
    return build.apply(this, args);
  };
}
const { OpenApiValidator } = require(join(dir, "dist/openapi.validator.js"));
const fast = OpenApiValidator.prototype.rsInstallFastMiddleware;
if (fast) {
  OpenApiValidator.prototype.rsInstallFastMiddleware = function (...args) {
    counts.fastChains++;
    return fast.apply(this, args);
  };
}
const install = OpenApiValidator.prototype.installMiddleware;
OpenApiValidator.prototype.installMiddleware = function (...args) {
  const before = counts.fastChains;
  const chain = install.apply(this, args);
  if (counts.fastChains === before) counts.stockChains++;
  return chain.map((mw) =>
    function probed(req, res, next) {
      let returned = false;
      const r = mw.call(this, req, res, (...a) => {
        if (returned) counts.asyncNext++;
        else counts.syncNext++;
        return next(...a);
      });
      returned = true;
      return r;
    },
  );
};

process.on("SIGUSR2", () => writeFileSync(out, JSON.stringify(counts)));
