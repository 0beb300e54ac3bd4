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

function startWaiting() {
  while (active < limit && waiting.length > 0) waiting.shift()();
}

http.Server.prototype.emit = function gatedEmit(event, req, res) {
  if (event !== "request") return emit.apply(this, arguments);
  let state = "waiting";
  // Listening from arrival: a client that leaves while its request waits has its 'close' now,
  // and the request is dropped (as the front end drops it) instead of holding a slot for ever.
  res.once("close", () => {
    if (state === "running") {
      active -= 1;
      state = "done";
      startWaiting();
    } else {
      state = "done";
    }
  });
  waiting.push(() => {
    if (state !== "waiting") return;
    state = "running";
    active += 1;
    emit.call(this, event, req, res);
  });
  startWaiting();
  return true;
};
