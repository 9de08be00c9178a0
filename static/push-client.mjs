// ES module entry: `import { PushClient } from '/push-client.mjs'`.
// push-client.js stays a classic script (it sets globalThis.PushClient), so
// one file serves both <script src> and import.
import './push-client.js';

export const PushClient = globalThis.PushClient;
export const DEFAULTS = PushClient.DEFAULTS;
export default PushClient;
