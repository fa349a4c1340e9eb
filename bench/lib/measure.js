// The measuring loop both HTTP benches share (bench/booking, bench/staff): one JSON call helper, and a
// measurer that drains the server, warms the path, runs autocannon and reads the server's CPU around the run.
const os = require('os');
const { sleep, cpuSeconds, fmt } = require('./common');
const { runLoad } = require('../booking/load');

async function call(url, method, pathname, { token, body } = {}) {
  const response = await fetch(url + pathname, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: response.status, body: json, text };
}

const thousands = (value) => Math.round(value).toLocaleString('en-US');

function statusSummary(statuses) {
  return Object.entries(statuses)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, n]) => `${n}×${code}`)
    .join(', ');
}

/**
 * `measure(name, connections, label?)` runs `requests[name]` against the server for `options.duration` seconds
 * (after `options.warmup` seconds of the same load) and returns autocannon's figures plus the server's CPU.
 */
function measurer({ server, options, requests, log }) {
  // autocannon stops sending when its time is up, but the server still works through what it accepted;
  // one request through the same queue (the database connection) waits until that backlog is gone, so the
  // next run starts on an idle server.
  const drain = async () => {
    await call(server.url, 'GET', '/api/tariffs?pagination[pageSize]=1');
    await sleep(200);
  };
  return async function measure(name, connections, label = name) {
    await drain();
    if (options.warmup > 0) {
      await runLoad({ url: server.url, connections, duration: options.warmup, next: requests[name] });
      await drain();
    }
    const cpuBefore = cpuSeconds(server.child.pid);
    const result = await runLoad({ url: server.url, connections, duration: options.duration, next: requests[name] });
    const cpuAfter = cpuSeconds(server.child.pid);
    // Server CPU per request is what the endpoint costs, whatever else the machine is doing; the share of
    // one core it got says how much the machine let it run (Node runs the app on one thread).
    result.cpuMsPerRequest = cpuBefore === null || cpuAfter === null ? NaN : ((cpuAfter - cpuBefore) * 1000) / result.requests;
    result.serverCpuShare = cpuBefore === null || cpuAfter === null ? NaN : (cpuAfter - cpuBefore) / result.duration;
    result.loadavg = os.loadavg()[0];
    const extra = result.non2xx > 0 ? `, non-2xx ${statusSummary(result.statuses)}: ${result.samples[0]}` : '';
    log(
      `${label} @${connections}: ${fmt(result.rps, 0)} req/s, p50 ${fmt(result.p50)} ms, p95 ${fmt(result.p95)} ms, p99 ${fmt(result.p99)} ms, ` +
        `server CPU ${fmt(result.cpuMsPerRequest, 2)} ms/req at ${fmt(result.serverCpuShare * 100, 0)}% of a core, load ${fmt(result.loadavg, 2)}${extra}`,
    );
    return result;
  };
}

module.exports = { call, thousands, statusSummary, measurer };
