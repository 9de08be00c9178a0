// Every member of the browser client as an application would use it: type-checked with
// --strict against static/push-client.d.mts (TypeDeclarationsTest).
import PushClientDefault, { PushClient, DEFAULTS } from './push-client.mjs';
import type { BatchResult, Published, PushEvent, PublishError } from './push-client.mjs';

const client = new PushClient('', {
  topics: ['prices', 'chat'],
  cursor: 'prices:41:k3x9q2',
  transport: 'auto',
  pollInterval: 1000,
  longPollTimeout: 25,
  backoffInitial: 500,
  backoffMax: 15000,
  connectTimeout: 10000,
  heartbeat: 20000,
  publishTimeout: 10000,
  publishRetries: 3,
  idempotentPublishing: true,
  latencyWindow: 512,
  unavailable: ['ws'],
  presence: true,
  binaryType: 'arraybuffer',
  name: 'ann',
  format: 'compact',
  timestamps: true,
  conflate: { prices: 1000 },
  delta: true,
  rewind: { prices: 20 },
  getToken: () => Promise.resolve('token'),
  token: 'token',
  meter: 'meter-0001'
});
const same: typeof PushClient = PushClientDefault;
new same('https://push.example', { topics: 'a,b' });

client.onopen = (e) => console.log(e.transport, e.reconnected);
client.onmessage = (e) => {
  const event: PushEvent = e.data;
  console.log(event.topic, event.id, event.ts, event.contentType, e.lastEventId, e.transport);
};
client.onerror = (e) => console.log(e.message, e.code, e.transport);
client.onclose = (e) => console.log(e.code, e.reason, e.wasClean);
client.addEventListener('reset', (e) => console.log(e.topic, e.from, e.epoch, e.previous?.id));
client.addEventListener('presence', (e) => console.log(e.members.map((m) => m.id), e.counts.members, e.truncated));
client.addEventListener('join', (e) => console.log(e.member.transports, e.counts.ws));
client.addEventListener('leave', (e) => console.log(e.member.since));
client.addEventListener('occupancy', (e) => console.log(e.counts.connections));
client.addEventListener('disconnect', (e) => console.log(e.code, e.reason));
client.addEventListener('transport', (e) => console.log(e.transport, e.previous));
client.addEventListener('connecting', (e) => console.log(e.attempt));
client.addEventListener('unauthorized', (e) => console.log(e.message));

async function publishing(): Promise<void> {
  const one: Published = await client.publish('prices', { p: 1 }, { key: 'order-17' });
  console.log(one.id, one.duplicate === true);
  await client.publish('images', new Blob([new Uint8Array([1, 2])], { type: 'image/png' }));
  await client.send('hello');
  const results: BatchResult[] = await client.publishAll([{ topic: 'prices', data: 2 }, { topic: 'chat', data: 'hi', key: 'k1' }]);
  for (const result of results) {
    console.log('error' in result ? result.error.code : result.id);
  }
  try {
    await client.publish('prices', 3);
  } catch (e) {
    console.log((e as PublishError).code);
  }
}
void publishing();

console.log(client.readyState === PushClient.OPEN, client.OPEN, client.transport, client.cursor, client.bufferedAmount);
console.log(client.stats.latency.p99, client.stats.events, client.topics.length);
console.log(client.members('chat').length, client.occupancy()?.members, PushClient.TRANSPORTS, DEFAULTS.publishRetries);
void client.readMeter().then((meter) => console.log(meter?.bytesDown));
void client.refreshToken();
client.reconnectNow();
client.setUnavailable(['ws', 'sse']);
client.close();
