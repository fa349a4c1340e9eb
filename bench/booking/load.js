/**
 * One load run with autocannon: a fixed number of connections for a fixed time, every request built by
 * `next()` (so URLs, bodies and member tokens rotate, and create never repeats a slot). Latencies are
 * recorded per response, so p95 is exact (autocannon's own summary has p90 and p97.5, not p95).
 */
'use strict';

const autocannon = require('autocannon');

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

/**
 * @param {object} options
 * @param {string} options.url         base URL, e.g. http://127.0.0.1:4321
 * @param {number} options.connections
 * @param {number} options.duration    seconds
 * @param {() => {method: string, path: string, headers?: object, body?: string}} options.next
 */
function runLoad({ url, connections, duration, next }) {
  return new Promise((resolve, reject) => {
    const latencies = [];
    const statuses = {};
    const samples = []; // the first few non-2xx answers, to say why
    const instance = autocannon(
      {
        url,
        connections,
        duration,
        pipelining: 1,
        timeout: 30,
        requests: [
          {
            setupRequest: (request) => {
              const built = next();
              return {
                ...request,
                method: built.method,
                path: built.path,
                headers: { ...(built.body === undefined ? {} : { 'content-type': 'application/json' }), ...(built.headers ?? {}) },
                body: built.body,
              };
            },
            onResponse: (status, body) => {
              if ((status < 200 || status > 299) && samples.length < 5) samples.push(`${status} ${String(body).slice(0, 300)}`);
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        latencies.sort((a, b) => a - b);
        const count = latencies.length;
        const non2xx = Object.entries(statuses)
          .filter(([code]) => !code.startsWith('2'))
          .reduce((sum, [, n]) => sum + n, 0);
        resolve({
          connections,
          duration: result.duration,
          requests: count,
          rps: count / result.duration,
          p50: percentile(latencies, 50),
          p95: percentile(latencies, 95),
          p99: percentile(latencies, 99),
          mean: count === 0 ? NaN : latencies.reduce((sum, value) => sum + value, 0) / count,
          max: count === 0 ? NaN : latencies[count - 1],
          non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          statuses,
          samples,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
  });
}

module.exports = { runLoad, percentile };
