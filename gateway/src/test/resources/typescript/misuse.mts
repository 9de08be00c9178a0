// Mistakes the declarations must catch, one per line after the first: TypeDeclarationsTest
// expects tsc to report each of the lines named in its EXPECTED_ERRORS, and no other.
import { PushClient } from './push-client.mjs';
const client = new PushClient('', { topics: ['a'] });
new PushClient('', {});
new PushClient('', { topics: 'a', transport: 'pigeon' });
void client.publish(1, {});
void client.publishAll([{ data: 1 }]);
client.addEventListener('join', (e) => console.log(e.member.nickname));
client.setUnavailable(['websocket']);
const late: string = client.stats.latency.median;
