// "Nothing acknowledged is lost", checked from outside: C publishers with keep-alive post events
// over T topics to the given nodes for D seconds (each event's data carries a key of its own; a
// failed publish is not retried), while the caller kills a node; then every topic is read from
// --read with short polls from its start. Each acknowledged event must be there once, with the id
// its 201 gave, and ids must run without gaps from the oldest kept (older ones may have left the
// history: counted as trimmed). Prints one JSON line; exits 1 if anything is missing, moved,
// repeated or out of sequence.
//
// --retries R sends each event's key as its Idempotency-Key too, and a publish that got no answer
// (the node died under it), a 503 or a 429 is sent again with it, to the next node, up to R times:
// then every event should be acknowledged, once, whichever node died (retriedAcks counts the acks
// that took a retry, duplicates those whose first try had been stored). --keys 0 retries without
// the header, to see what a retry costs without it (copies).
//
//   node loadtest/scripts/failover-check.mjs --urls http://127.0.0.1:18081,http://127.0.0.1:18082 \
//        --read http://127.0.0.1:18081 --topics 100 --seconds 30 [--concurrency 16] [--retries 5]
import http from 'node:http';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) =>
  a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs, []));
const urls = args.urls.split(',');
const readUrl = args.read || urls[0];
const topics = Number(args.topics || 100);
const seconds = Number(args.seconds || 30);
const concurrency = Number(args.concurrency || 16);
const retries = Number(args.retries || 0);
const keyed = retries > 0 && args.keys !== '0';
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

function request(method, url, body, idempotencyKey) {
  return new Promise((resolve) => {
    const u = new URL(url);
    const headers = body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {};
    if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey;
    const req = http.request({ method, host: u.hostname, port: u.port, path: u.pathname + u.search, agent,
      headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.setTimeout(15000, () => req.destroy(new Error('no answer in 15 s')));
    req.on('error', (e) => resolve({ status: 0, text: String(e) }));
    req.end(body);
  });
}

const acked = new Map(); // key -> {topic, id}
const failures = {};
let sent = 0, retriedAcks = 0, duplicates = 0;
const until = Date.now() + seconds * 1000;

async function publisher(p) {
  for (let n = 1; Date.now() < until; n++) {
    const topic = 'failover.' + Math.floor(Math.random() * topics);
    const key = p + ':' + n;
    sent++;
    let reply, attempt = 0;
    for (; ; attempt++) {
      reply = await request('POST', `${urls[(p + n + attempt) % urls.length]}/api/topics/${topic}/events`,
        JSON.stringify({ key }), keyed ? key : null);
      const unanswered = reply.status === 0 || reply.status === 503 || reply.status === 429;
      if (!unanswered || attempt >= retries) break;
      await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
    }
    if (reply.status === 201) {
      const answer = JSON.parse(reply.text);
      acked.set(key, { topic, id: answer.id });
      if (answer.duplicate) duplicates++;
      if (attempt > 0) retriedAcks++;
    } else {
      const why = reply.status + ' ' + reply.text.slice(0, 60);
      failures[why] = (failures[why] || 0) + 1;
    }
  }
}

await Promise.all(Array.from({ length: concurrency }, (_, p) => publisher(p)));

const stored = new Map(); // key -> {topic, id}
const oldest = new Map(); // topic -> oldest id kept
let read = 0, gaps = 0, copies = 0, unreadable = 0;
for (let t = 0; t < topics; t++) {
  const topic = 'failover.' + t;
  let cursor = topic + ':0', next = null;
  for (let more = true; more;) {
    const reply = await request('GET', `${readUrl}/poll?topics=${topic}&cursor=${encodeURIComponent(cursor)}&limit=10000`);
    if (reply.status !== 200) {
      unreadable++;
      break;
    }
    const answer = JSON.parse(reply.text);
    for (const event of answer.events) {
      read++;
      if (next === null) {
        oldest.set(topic, event.id);
      } else if (event.id !== next) {
        gaps++;
      }
      next = event.id + 1;
      if (stored.has(event.data.key)) copies++;
      stored.set(event.data.key, { topic, id: event.id });
    }
    cursor = answer.cursor;
    more = answer.more;
  }
}

let missing = 0, moved = 0, trimmed = 0;
for (const [key, ack] of acked) {
  const event = stored.get(key);
  if (event) {
    if (event.topic !== ack.topic || event.id !== ack.id) moved++;
  } else if (ack.id < (oldest.get(ack.topic) ?? Infinity)) {
    trimmed++;
  } else {
    missing++;
  }
}
console.log(JSON.stringify({ keyed, sent, acknowledged: acked.size, retriedAcks, duplicates, failures, read, trimmed, missing,
  moved, copies, gaps, unreadable }));
process.exit(missing + moved + copies + gaps + unreadable === 0 ? 0 : 1);
