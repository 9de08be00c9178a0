// Publish throughput of a gateway (or a cluster): C concurrent HTTP publishers with keep-alive,
// each sending its next POST /api/topics/{t}/events as soon as the last one is answered, for D
// seconds, over T topics; spread round-robin over the given gateway URLs. Prints one JSON line:
// publishes/s, p50/p99 latency (ms), errors.
//
//   node loadtest/scripts/publish-rate.mjs --urls http://127.0.0.1:8080,http://127.0.0.1:8081 \
//        --concurrency 16 --topics 1 --seconds 8 [--warmup 3] [--batch 1]
//
// --batch N posts N events per request to POST /api/events (N > 1) and counts events, not requests.
// --keys 1 gives every event an idempotency key of its own (the Idempotency-Key header, a batch's
// "key" members), as a publisher that retries safely does: what the keys cost.
import http from 'node:http';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) =>
  a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs, []));
const urls = (args.urls || 'http://127.0.0.1:8080').split(',').map((u) => new URL(u));
const concurrency = Number(args.concurrency || 16);
const topics = Number(args.topics || 1);
const seconds = Number(args.seconds || 8);
const warmup = Number(args.warmup || 3);
const batch = Number(args.batch || 1);
const keyed = args.keys === '1';
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

let measuring = false;
let stopped = false;
let done = 0;
let errors = 0;
const latencies = [];
let n = 0;

function post(url, path, body, key) {
  return new Promise((resolve) => {
    const headers = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) };
    if (key) headers['Idempotency-Key'] = key;
    const req = http.request({ host: url.hostname, port: url.port, path, method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

async function publisher(index) {
  const url = urls[index % urls.length];
  while (!stopped) {
    const i = n++;
    const started = process.hrtime.bigint();
    let status;
    if (batch > 1) {
      const events = [];
      for (let k = 0; k < batch; k++) {
        const event = { topic: 'rate-' + ((i * batch + k) % topics), data: { n: i, k } };
        if (keyed) event.key = 'rate-' + process.pid + '-' + i + '-' + k;
        events.push(event);
      }
      status = await post(url, '/api/events', JSON.stringify({ events }));
    } else {
      status = await post(url, '/api/topics/rate-' + (i % topics) + '/events', JSON.stringify({ n: i }),
        keyed ? 'rate-' + process.pid + '-' + i : null);
    }
    if (!measuring) continue;
    const ok = batch > 1 ? status === 200 : status === 201;
    if (ok) {
      done += batch;
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    } else {
      errors++;
    }
  }
}

const runners = Array.from({ length: concurrency }, (_, i) => publisher(i));
setTimeout(() => { measuring = true; }, warmup * 1000);
setTimeout(async () => {
  stopped = true;
  await Promise.all(runners);
  latencies.sort((a, b) => a - b);
  const at = (p) => latencies.length ? Number(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(2)) : null;
  console.log(JSON.stringify({ urls: urls.map(String), concurrency, topics, batch, keyed, seconds,
    publishesPerSecond: Math.round(done / seconds), p50Ms: at(0.5), p99Ms: at(0.99), errors }));
  agent.destroy();
}, (warmup + seconds) * 1000);
