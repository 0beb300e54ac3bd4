// Preloaded into each served function (node --require): at most LOAD_CONCURRENCY requests run at
// once in this process and the rest wait in order, as Cloud Run's front end holds requests above
// an instance's `concurrency` (80 by default for 2nd gen functions). Without it one process would
// run 160 requests at once, which no deployed instance does.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a --require preload is CommonJS
const http = require("node:http");

const limit = Number(process.env.LOAD_CONCURRENCY || 80);
const emit = http.Server.prototype.emit;
const waiting = [];
let active = 0;

http.Server.prototype.emit = function gatedEmit(event, req, res) {
  if (event !== "request") return emit.apply(this, arguments);
  const run = () => {
    active += 1;
    res.once("close", () => {
      active -= 1;
      const next = waiting.shift();
      if (next) next();
    });
    emit.call(this, event, req, res);
  };
  if (active < limit) run();
  else waiting.push(run);
  return true;
};
