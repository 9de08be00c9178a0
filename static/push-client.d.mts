// Types of the browser client (push-client.js, imported as push-client.mjs).
// docs/browser-client.md says what each member does; a test type-checks a use of
// every member against this file and holds its options to PushClient.DEFAULTS.

export type TransportName = 'ws' | 'sse' | 'long' | 'short';

/** A token, or a Promise of one. */
export type TokenSource = () => string | Promise<string>;

export interface PushClientOptions {
  /** The topics to follow: an array or a comma-separated string. */
  topics: string[] | string;
  /** Where to resume (`topic:id:epoch,…`); topics it does not name start at "now". */
  cursor?: string;
  transport?: 'auto' | TransportName;
  /** ms between short polls. */
  pollInterval?: number;
  /** s a long poll may wait (1..60). */
  longPollTimeout?: number;
  /** ms, the first reconnect delay. */
  backoffInitial?: number;
  /** ms, the cap of the exponential backoff. */
  backoffMax?: number;
  /** ms for a transport to open before the attempt counts as failed. */
  connectTimeout?: number;
  /** ms between WebSocket pings; 0 turns them off. */
  heartbeat?: number;
  /** ms to wait for a publish's answer. */
  publishTimeout?: number;
  /** Times a keyed publish is sent again when no answer came. */
  publishRetries?: number;
  /** Whether a publish without a key gets one made by the client (on by default). */
  idempotentPublishing?: boolean;
  /** Events the latency median and p99 are taken over. */
  latencyWindow?: number;
  /** Transports treated as failing from the start. */
  unavailable?: TransportName[];
  /** Join the topics' presence: members(), occupancy() and the presence events. */
  presence?: boolean;
  /** What a binary event's data is, as WebSocket.binaryType. */
  binaryType?: 'blob' | 'arraybuffer';
  /** The presence name, where the gateway allows one. */
  name?: string;
  /** 'compact': events as [alias, data], ids derived, fewer bytes per event. */
  format?: 'json' | 'compact';
  /** With format 'compact': each event's ts as well. */
  timestamps?: boolean;
  /** Ms: each topic's newest event alone, at most one per this many ms (0: every event), or per topic; ids then skip. */
  conflate?: number | Record<string, number>;
  /** True: data may come as a JSON Merge Patch from the topic's previous data (delta=merge); handlers still get whole data. */
  delta?: boolean;
  /** Events: a topic the client has no position in starts with its newest this many, then live (rewind=), or per topic. */
  rewind?: number | Record<string, number>;
  /** Called before the token expires and when it is refused. */
  getToken?: TokenSource | null;
  /** Sent as ?token= on streams and Authorization: Bearer on requests. */
  token?: string;
  /** 8 to 64 letters, digits, - or _: the gateway counts this client's bytes on the wire. */
  meter?: string;
}

/** An event as the application gets it: once, in id order per topic. */
export interface PushEvent<T = unknown> {
  topic: string;
  id: number;
  /** When the gateway accepted it (ms); absent in the compact format without timestamps. */
  ts?: number;
  /** JSON data, or a Blob / ArrayBuffer for a binary event (binaryType). */
  data: T;
  /** The media type of a binary event. */
  contentType?: string;
}

/** What a publish resolves to. */
export interface Published {
  topic: string;
  id: number;
  ts?: number;
  /** The publish's key had been stored before: id is the first try's event, nothing was stored now. */
  duplicate?: true;
}

/** An event of a batch (publishAll). */
export interface Outgoing {
  topic: string;
  data: unknown;
  /** An idempotency key of the caller's (else the client makes one). */
  key?: string;
}

/** One result of a batch: as a publish resolves, or the gateway's refusal of that event. */
export type BatchResult = Published | { topic: string; error: { code: string; message: string } };

/** A publish the gateway refused, or one that got no answer (code undefined). */
export interface PublishError extends Error {
  code?: string;
  status?: number;
}

export interface Counts {
  members: number;
  connections: number;
  anonymous: number;
  ws: number;
  sse: number;
  long: number;
  short: number;
}

export interface Member {
  id: string;
  info?: unknown;
  transports: TransportName[];
  connections: number;
  since: number;
}

export interface Stats {
  events: number;
  duplicates: number;
  gaps: number;
  resets: number;
  requests: number;
  reconnects: number;
  refreshes: number;
  /** Events whose data came as a patch (the delta option). */
  patches: number;
  transport: TransportName | null;
  latency: { median: number | null; p99: number | null; samples: number };
}

export interface WireMeter {
  bytesUp: number;
  bytesDown: number;
  requests: number;
  open: number;
}

/** The client's events: a plain Event carrying these properties. */
export interface PushClientEventMap {
  message: Event & { data: PushEvent; topic: string; id: number; ts?: number; lastEventId: string; transport: TransportName };
  reset: Event & { topic: string; from: number; epoch: string | null; previous: { id: number; epoch: string | null } | null };
  unauthorized: Event & { message: string };
  presence: Event & { topic: string; members: Member[]; counts: Counts; truncated: boolean };
  join: Event & { topic: string; member: Member; counts: Counts };
  leave: Event & { topic: string; member: Member; counts: Counts };
  occupancy: Event & { topic: string; counts: Counts };
  open: Event & { transport: TransportName; reconnected: boolean };
  disconnect: Event & { transport: TransportName; code?: number; reason: string };
  transport: Event & { transport: TransportName; previous: TransportName | null };
  connecting: Event & { transport: TransportName; attempt: number };
  error: Event & { transport?: TransportName; message: string; code?: string };
  close: Event & { code: number; reason: string; wasClean: boolean };
}

export declare class PushClient extends EventTarget {
  constructor(baseUrl: string, options: PushClientOptions);

  static readonly CONNECTING: 0;
  static readonly OPEN: 1;
  static readonly CLOSING: 2;
  static readonly CLOSED: 3;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;
  static readonly TRANSPORTS: TransportName[];
  static readonly DEFAULTS: Readonly<Required<Omit<PushClientOptions, 'topics' | 'cursor' | 'token' | 'meter'>>>;

  readonly topics: string[];
  readonly readyState: 0 | 1 | 2 | 3;
  /** The transport in use, null before the first. */
  readonly transport: TransportName | null;
  /** topic:id:epoch,… : where the application stands. */
  readonly cursor: string;
  /** Bytes of publishes handed over but not yet sent. */
  readonly bufferedAmount: number;
  readonly stats: Stats;

  onopen: ((this: PushClient, ev: PushClientEventMap['open']) => unknown) | null;
  onmessage: ((this: PushClient, ev: PushClientEventMap['message']) => unknown) | null;
  onerror: ((this: PushClient, ev: PushClientEventMap['error']) => unknown) | null;
  onclose: ((this: PushClient, ev: PushClientEventMap['close']) => unknown) | null;

  addEventListener<K extends keyof PushClientEventMap>(type: K,
    listener: (this: PushClient, ev: PushClientEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof PushClientEventMap>(type: K,
    listener: (this: PushClient, ev: PushClientEventMap[K]) => unknown, options?: boolean | EventListenerOptions): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions): void;

  /** JSON data, or bytes (a Blob, an ArrayBuffer or a typed array) as a binary event. */
  publish(topic: string, data: unknown, options?: { key?: string }): Promise<Published>;
  /** Several events in one request or frame: one result per event, in order. */
  publishAll(events: Outgoing[]): Promise<BatchResult[]>;
  /** publish to the first topic. */
  send(data: unknown): Promise<Published>;
  close(): void;
  members(topic?: string): Member[];
  occupancy(topic?: string): Counts | null;
  readMeter(): Promise<WireMeter | null>;
  reconnectNow(): void;
  refreshToken(): Promise<unknown>;
  setUnavailable(names: TransportName[]): void;
}

export declare const DEFAULTS: typeof PushClient.DEFAULTS;
export default PushClient;
