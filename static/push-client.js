/*
 * push-client.js: a browser client for the push gateway (wire protocol v1).
 *
 * WebSocket-shaped (onopen/onmessage/onerror/onclose, readyState, send,
 * close) but it reconnects by itself, falls back ws → sse → long → short,
 * resumes from its cursor on every transport and drops duplicates, so the
 * application sees every event once, in id order per topic. With
 * `presence: true` it also keeps who is in each topic (members()) and tells
 * joins and leaves the same way on every transport. Binary events arrive as
 * a Blob or an ArrayBuffer (`binaryType`, as on a WebSocket) whatever the
 * transport, and publish(topic, blob) sends bytes.
 *
 * A classic script (sets window.PushClient) that can also be imported as an
 * ES module through push-client.mjs: `export` would break a classic script.
 */
(function (root) {
  'use strict';

  const CONNECTING = 0;
  const OPEN = 1;
  const CLOSING = 2;
  const CLOSED = 3;

  // Fallback order for transport 'auto'; also the names the gateway's
  // metrics and the load test use.
  const TRANSPORTS = ['ws', 'sse', 'long', 'short'];

  // A connection open this long counts as healthy and resets the backoff.
  const STABLE_MS = 3000;

  // How long a failed event stream waits to learn whether its token was refused.
  const PROBE_MS = 5000;

  // The options' defaults, in one place: exported as PushClient.DEFAULTS, and
  // docs/browser-client.md's option table is checked against this literal.
  const DEFAULTS = {
    transport: 'auto',
    pollInterval: 1000, // ms between short polls
    longPollTimeout: 25, // s, what the gateway holds a long poll (1..60)
    backoffInitial: 500, // ms, first reconnect delay
    backoffMax: 15000, // ms, cap of the exponential backoff
    connectTimeout: 10000, // ms for a transport to open before it counts as failed
    heartbeat: 20000, // ms between WebSocket pings; 0 turns them off
    publishTimeout: 10000, // ms to wait for a publish ack
    publishRetries: 3, // times a publish with a key is sent again when no answer came
    idempotentPublishing: true, // a publish without a key gets one made here, so it too is retried and stored once
    latencyWindow: 512, // samples kept for median/p99
    unavailable: [], // transports to treat as failed (demo's "no WebSocket")
    presence: false, // join the topics' presence: members(), join and leave events
    binaryType: 'blob', // what a binary event's data is: 'blob' or 'arraybuffer', as WebSocket.binaryType
    name: '', // presence name where the gateway allows one (with a token: its sub)
    format: 'json', // 'compact': events as [alias,data], ids derived, fewer bytes per event (PROTOCOL.md)
    timestamps: false, // with format 'compact': ask for each event's ts too (ts=1), for latency figures
    conflate: 0, // ms: each topic's newest event alone, at most one per this many ms (0: every event); or {topic: ms}
    delta: false, // true: an event's data may come as a patch from the topic's previous data (delta=merge), fewer bytes
    rewind: 0, // events: a topic the client has no position in starts with its newest this many, then live; or {topic: n}
    getToken: null // () => token or Promise of one: called before the token expires and when it is refused
  };

  // RFC 7386's MergePatch(target, patch), copying what it changes: data the
  // application was given earlier is never modified. Members are defined,
  // not assigned, so a "__proto__" member stays data, as JSON.parse makes it.
  function mergePatch(target, patch) {
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
    const out = {};
    const define = (key, value) => Object.defineProperty(out, key,
      { value: value, enumerable: true, writable: true, configurable: true });
    if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
      for (const key of Object.keys(target)) define(key, target[key]);
    }
    for (const key of Object.keys(patch)) {
      if (patch[key] === null) delete out[key];
      else define(key, mergePatch(Object.prototype.hasOwnProperty.call(out, key) ? out[key] : undefined, patch[key]));
    }
    return out;
  }

  // An option that is a number for every topic or {topic: n}, as conflate and
  // rewind take it: its query value, the number of all topics (0 when given
  // per topic) and the entries given per topic.
  function perTopic(name, option, max, unit) {
    const bad = () => new TypeError('PushClient: ' + name + ' is 0 to ' + max + ' ' + unit + ', or {topic: '
      + unit + '}, got ' + JSON.stringify(option));
    const number = (n) => {
      if (!(typeof n === 'number' && n >= 0 && n <= max)) throw bad();
      return Math.round(n);
    };
    if (typeof option === 'number' || option === undefined || option === null) {
      const all = number(option || 0);
      return { param: all ? String(all) : '', all, entries: [] };
    }
    if (typeof option !== 'object') throw bad();
    const entries = Object.keys(option).map((topic) => [topic, number(option[topic])]);
    return { param: entries.map(([topic, n]) => topic + ':' + n).join(','), all: 0, entries };
  }

  // The conflate option: its query value, the window of all topics (0: not
  // all conflated, so polls keep their pace) and the topics whose ids may skip.
  function conflateWindows(option) {
    const windows = perTopic('conflate', option, 600000, 'ms');
    return {
      param: windows.param,
      all: windows.all,
      topics: new Set(windows.entries.filter(([, ms]) => ms > 0).map(([topic]) => topic))
    };
  }

  // One result of a batch: as a publish resolves, or {topic, error: {code, message}}.
  function batchResult(result) {
    return result.error ? { topic: result.topic, error: result.error } : published(result);
  }

  // What a publish resolves to: {topic, id, ts?}, and duplicate: true when its
  // idempotency key had been stored before (the event is the first try's).
  function published(answer) {
    const result = { topic: answer.topic, id: answer.id };
    if (answer.ts !== undefined) result.ts = answer.ts;
    if (answer.duplicate) result.duplicate = true;
    return result;
  }

  // Either spelling: topic:id:epoch entries, or the compact one (no colon),
  // id.epoch per topic of `topics` in order, an epoch left out repeating
  // the entry before's.
  function parseCursor(text, topics) {
    const out = new Map();
    if (!text) return out;
    if (String(text).indexOf(':') < 0) {
      let epoch = null;
      String(text).split(',').forEach((entry, i) => {
        const dot = entry.indexOf('.');
        if (dot >= 0) epoch = entry.slice(dot + 1);
        const id = Number(dot >= 0 ? entry.slice(0, dot) : entry);
        if (entry && topics && i < topics.length && Number.isFinite(id)) out.set(topics[i], { id: id, epoch: epoch });
      });
      return out;
    }
    for (const part of String(text).split(',')) {
      const bits = part.trim().split(':');
      if (bits.length < 2 || !bits[0]) continue;
      const id = Number(bits[1]);
      if (!Number.isFinite(id)) continue;
      out.set(bits[0], { id: id, epoch: bits[2] || null });
    }
    return out;
  }

  // The exp claim of a JWT (seconds), or null: read to refresh before it,
  // never trusted for anything else (the gateway checks the signature).
  function tokenExp(token) {
    try {
      const part = String(token).split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      const exp = JSON.parse(atob(part + '==='.slice((part.length + 3) % 4))).exp;
      return typeof exp === 'number' ? exp : null;
    } catch (e) {
      return null;
    }
  }

  function percentile(sorted, p) {
    if (!sorted.length) return null;
    const i = Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
    return sorted[Math.max(0, i)];
  }

  function isBinary(data) {
    return (typeof Blob !== 'undefined' && data instanceof Blob) || data instanceof ArrayBuffer
      || ArrayBuffer.isView(data);
  }

  function contentTypeOf(data) {
    return (typeof Blob !== 'undefined' && data instanceof Blob && data.type) || 'application/octet-stream';
  }

  function byteLength(data) {
    return typeof Blob !== 'undefined' && data instanceof Blob ? data.size : data.byteLength;
  }

  function base64Bytes(text) {
    const raw = atob(text);
    const u8 = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) u8[i] = raw.charCodeAt(i);
    return u8;
  }

  function makeEvent(type, props) {
    // Event subclasses are not constructible everywhere with extra fields,
    // so a plain Event carries them as own properties.
    const ev = new Event(type);
    if (props) {
      for (const k of Object.keys(props)) {
        Object.defineProperty(ev, k, { value: props[k], enumerable: true });
      }
    }
    return ev;
  }

  class PushClient extends EventTarget {
    constructor(baseUrl, options) {
      super();
      const opts = Object.assign({}, DEFAULTS, options || {});
      const topics = Array.isArray(opts.topics) ? opts.topics
        : String(opts.topics || '').split(',');
      // unique, in order: a compact event's alias is a topic's place here
      this.topics = Array.from(new Set(topics.map((t) => String(t).trim()).filter(Boolean)));
      if (!this.topics.length) throw new TypeError('PushClient: no topics');
      if (opts.transport !== 'auto' && TRANSPORTS.indexOf(opts.transport) < 0) {
        throw new TypeError('PushClient: unknown transport ' + opts.transport);
      }
      this._conflate = conflateWindows(opts.conflate);
      const rewind = perTopic('rewind', opts.rewind, 10000000, 'events');
      for (const [topic] of rewind.entries) {
        if (this.topics.indexOf(topic) < 0) throw new TypeError('PushClient: rewind names ' + topic + ', not a topic of the client');
      }
      this._rewind = rewind;
      this._lastData = new Map(); // with delta: topic -> {id, data}, what the next patch applies to
      this.url = String(baseUrl || '').replace(/\/+$/, '');
      this.options = opts;
      this.mode = opts.transport;
      this.readyState = CONNECTING;
      this.transport = null;
      this.onopen = null;
      this.onmessage = null;
      this.onerror = null;
      this.onclose = null;

      // topic -> {id, epoch}: everything up to id has been delivered
      this._positions = parseCursor(opts.cursor);
      this._unavailable = new Set(opts.unavailable || []);
      this._level = 0; // index into _candidates() in auto mode
      this._attempt = 0; // consecutive failures, drives the backoff
      this._everOpened = false;
      this._conn = null;
      this._httpBuffered = 0;
      this._timer = null;
      this._latencies = [];
      this._stats = { events: 0, duplicates: 0, gaps: 0, resets: 0, requests: 0, reconnects: 0, refreshes: 0, patches: 0 };
      // topic -> {members: Map id -> member, counts, truncated, changed}
      this._presence = new Map();
      // a poller's id for itself: its polls are one member's one connection
      this._clientId = 'c' + Math.random().toString(36).slice(2, 12) + Date.now().toString(36);
      // A network that comes back, or a page shown again after a drop, is
      // when a phone wants its stream: not after the rest of a backoff. A
      // new network also leaves the old sockets dead without a close.
      this._onOnline = () => this.reconnectNow();
      this._onVisible = () => {
        if (root.document && root.document.visibilityState === 'visible' && this._timer) this._retryNow();
      };
      // A page that goes away may be kept alive in the back/forward cache
      // with its connection open: the gateway would keep it subscribed and
      // present. It lets go, and comes back from its cursor if shown again.
      this._onPageHide = () => this._suspend();
      this._onPageShow = (e) => { if (e.persisted && this._suspended) this._resume(); };
      this._pageListeners(true);
      this._scheduleRefresh();
      // like a WebSocket, start after the caller had a chance to add listeners
      Promise.resolve().then(() => this._connect());
    }

    get cursor() {
      const parts = [];
      for (const [topic, p] of this._positions) {
        parts.push(p.epoch ? topic + ':' + p.id + ':' + p.epoch : topic + ':' + p.id);
      }
      return parts.join(',');
    }

    // Like WebSocket.bufferedAmount: bytes of publishes handed over but not yet
    // sent (the socket's buffer, and HTTP publishes whose request is in flight).
    get bufferedAmount() {
      return this._httpBuffered + (this._conn && this._conn.bufferedAmount ? this._conn.bufferedAmount() : 0);
    }

    get stats() {
      const sorted = this._latencies.slice().sort((a, b) => a - b);
      return Object.assign({}, this._stats, {
        transport: this.transport,
        latency: {
          median: percentile(sorted, 0.5),
          p99: percentile(sorted, 0.99),
          samples: sorted.length
        }
      });
    }

    // What this client put on the wire so far, headers included, as the
    // gateway counted it: {bytesUp, bytesDown, requests, open}; null without
    // a meter option or when the gateway keeps no meter of that name.
    readMeter() {
      if (!this.options.meter) return Promise.resolve(null);
      return fetch(this.url + '/api/meters/' + encodeURIComponent(this.options.meter), { cache: 'no-store' })
        .then((res) => (res.ok ? res.json() : null));
    }

    // Who is in the topic now ([] before the first snapshot), in join order.
    members(topic) {
      const room = this._presence.get(topic || this.topics[0]);
      return room ? Array.from(room.members.values()) : [];
    }

    // {members, connections, anonymous, ws, sse, long, short}, or null.
    occupancy(topic) {
      const room = this._presence.get(topic || this.topics[0]);
      return room ? Object.assign({}, room.counts) : null;
    }

    // Makes transports unavailable at run time (the demo's switch); the
    // client leaves a transport it is on now and resumes from its cursor.
    setUnavailable(names) {
      this._unavailable = new Set(names || []);
      if (this.readyState === CLOSED || this.readyState === CLOSING) return;
      // start over from the most capable transport, as a new page would
      this._level = 0;
      this._startOver('transports changed');
    }

    send(data) {
      return this.publish(this.topics[0], data);
    }

    // data: any JSON value, or bytes (a Blob, an ArrayBuffer or a typed array),
    // published as a binary event of the Blob's type (else application/octet-stream).
    // options.key: an idempotency key (PROTOCOL.md): the gateway stores the event
    // once per key, so a publish that got no answer (a timeout, a dropped
    // connection) or was refused as overloaded or rate_limited is sent again with
    // it, up to publishRetries times; a retry whose first try got through resolves
    // with that event and duplicate: true. Without a key the client makes one
    // (idempotentPublishing); with that off, nothing is sent again.
    publish(topic, data, options) {
      const key = this._keyOf(options && options.key);
      return this._publishing(key !== undefined, () => this._conn && this._conn.publish
        ? this._conn.publish(topic, data, key) : this._publishHttp(topic, data, key));
    }

    // events: [{topic, data, key?}] (JSON data), published in one request, or one
    // frame on a WebSocket (PROTOCOL.md, Batches). Resolves to one result per
    // event, in order: {topic, id, ts?, duplicate?}, or {topic, error: {code,
    // message}} for an event the gateway refused (the others are published all
    // the same). Every event carries a key (its own, or one made here), so a batch
    // whose answer did not come is sent again whole and each event stored once.
    publishAll(events) {
      if (events.length === 0) return Promise.resolve([]); // the gateway refuses an empty batch
      const batch = events.map((e) => {
        const event = { topic: e.topic, data: e.data === undefined ? null : e.data };
        const key = this._keyOf(e.key);
        if (key !== undefined) event.key = key;
        return event;
      });
      return this._publishing(batch.every((e) => e.key !== undefined), () => this._conn && this._conn.publishAll
        ? this._conn.publishAll(batch) : this._publishHttpAll(batch));
    }

    // The key a publish carries: the caller's, or one made here (idempotentPublishing).
    _keyOf(key) {
      if (key != null) return String(key);
      return this.options.idempotentPublishing ? this._madeKey() : undefined;
    }

    // Sends, and sends again while the answer did not come (or the gateway asked
    // for a later try) if every event it carries is keyed.
    _publishing(keyed, send) {
      const attempt = (retried) => {
        if (this.readyState === CLOSED || this.readyState === CLOSING) {
          return Promise.reject(new Error('PushClient is closed'));
        }
        return send().catch((err) => {
          const unanswered = err.code == null || err.code === 'overloaded' || err.code === 'rate_limited';
          if (!keyed || retried >= this.options.publishRetries || !unanswered) throw err;
          return new Promise((resolve) => setTimeout(resolve, this._backoffCap(retried))).then(() => attempt(retried + 1));
        });
      };
      return attempt(0);
    }

    // A key of this client's own: 96 random bits made once, then a count.
    _madeKey() {
      if (!this._keyPrefix) {
        const bits = new Uint8Array(12);
        crypto.getRandomValues(bits); // in every browser, secure context or not
        this._keyPrefix = btoa(String.fromCharCode(...bits)).replace(/\+/g, '-').replace(/\//g, '_') + '.';
        this._keysMade = 0;
      }
      return this._keyPrefix + (++this._keysMade).toString(36);
    }

    close() {
      if (this.readyState === CLOSED) return;
      this.readyState = CLOSING;
      this._leaveConnection(null);
      this._pageListeners(false);
      clearTimeout(this._refreshTimer);
      this.readyState = CLOSED;
      this._emit('close', { code: 1000, reason: '', wasClean: true });
    }

    // --- connection management -------------------------------------------

    _candidates() {
      // Unavailable ones stay in the list and fail when tried, so listeners
      // see each step of the fallback.
      return this.mode === 'auto' ? TRANSPORTS : [this.mode];
    }

    _connect() {
      this._timer = null;
      if (this._conn || this._suspended || this.readyState === CLOSED || this.readyState === CLOSING) return;
      const candidates = this._candidates();
      if (!candidates.length) {
        this._emit('error', { message: 'no transport available' });
        return;
      }
      if (this._level >= candidates.length) this._level = 0;
      const name = candidates[this._level];
      const factory = FACTORIES[name];
      const conn = this._unavailable.has(name) || !factory.supported()
        ? unavailableConnection(this, name)
        : factory.create(this);
      conn.name = name;
      this._conn = conn;
      this._emit('connecting', { transport: name, attempt: this._attempt });
      // A proxy that swallows the WebSocket upgrade can leave it pending for
      // minutes; that is a failure to fall back from too.
      conn.openTimer = setTimeout(() => {
        this._drop(conn, { reason: name + ' did not open within ' + this.options.connectTimeout + ' ms' });
      }, this.options.connectTimeout);
      conn.start();
    }

    _opened(conn) {
      if (conn !== this._conn) return;
      clearTimeout(conn.openTimer);
      conn.opened = true;
      conn.openedAt = Date.now();
      const reconnected = this._everOpened;
      if (reconnected) this._stats.reconnects++;
      this._everOpened = true;
      const previous = this.transport;
      this.transport = conn.name;
      this.readyState = OPEN;
      if (previous !== conn.name) {
        this._emit('transport', { transport: conn.name, previous: previous });
      }
      this._emit('open', { transport: conn.name, reconnected: reconnected });
      // A token refreshed while this connection was opening went to nobody: it gets it now.
      if (conn.refresh && conn.token !== this.options.token) {
        Promise.resolve(conn.refresh(this.options.token))
          .catch((err) => this._emit('error', { message: 'token refresh failed: ' + err.message }));
      }
    }

    // One place for every way a connection ends: decide whether to retry the
    // same transport, fall back to the next one, or wait.
    _drop(conn, info) {
      if (!conn || conn !== this._conn) return;
      this._conn = null;
      clearTimeout(conn.openTimer);
      conn.stop();
      if (this.readyState === CLOSED || this.readyState === CLOSING) return;
      this.readyState = CONNECTING;
      const wasOpen = conn.opened;
      if (this._tokenRefused(info)) {
        if (wasOpen) this._emit('disconnect', { transport: conn.name, code: info.code, reason: info.reason });
        this._reauthenticate(info);
        return;
      }
      if (wasOpen) {
        this._emit('disconnect', { transport: conn.name, code: info.code, reason: info.reason });
      } else {
        this._emit('error', { transport: conn.name, message: info.reason });
      }
      // Only a connection that lived a while resets the backoff: one that
      // opens and breaks at once (a policy close, a broken proxy) must not
      // turn into a reconnect loop.
      if (wasOpen && Date.now() - conn.openedAt > STABLE_MS) this._attempt = 0;
      if (wasOpen) {
        // A working transport broke: the gateway may be restarting or
        // draining, and may come back serving more or fewer transports, so
        // auto starts over from the best one. After 1001/1013 come back at
        // once (but spread a little, every client got the same close).
        this._level = 0;
        this._schedule(info.soon);
      } else if (this.mode !== 'auto') {
        this._schedule(false);
      } else if (info.unavailable) {
        this._fallBack();
      } else {
        // Never opened, no clear answer (a WebSocket hides the HTTP status):
        // if the gateway itself answers, the transport is what failed.
        this._gatewayReachable().then((up) => {
          if (this._conn || this._timer || this.readyState !== CONNECTING) return;
          if (up) this._fallBack(); else this._schedule(false);
        });
      }
    }

    _fallBack() {
      this._level++;
      if (this._level < this._candidates().length) {
        this._connect();
      } else {
        // Every transport failed while the gateway answered: start over,
        // slowly.
        this._level = 0;
        this._schedule(false);
      }
    }

    // The exponential backoff's wait after n failures, before any jitter.
    _backoffCap(n) {
      return Math.min(this.options.backoffMax, this.options.backoffInitial * Math.pow(2, n));
    }

    _schedule(soon) {
      clearTimeout(this._timer);
      // Exponential backoff with "equal jitter" (half fixed, half random) so
      // a restarted gateway is not hit by every client at once. "soon" is
      // for a gateway that asked to be left (1001, 1013): come back at once,
      // spread a little, unless that keeps happening.
      const cap = this._backoffCap(this._attempt);
      const delay = soon && this._attempt === 0
        ? Math.random() * this.options.backoffInitial
        : cap / 2 + Math.random() * cap / 2;
      this._attempt++;
      this._timer = setTimeout(() => this._connect(), delay);
    }

    // Leaves the connection in use, if any, and connects again at once from
    // the cursor (the app's hook for a network change or a return to the
    // foreground).
    reconnectNow() {
      if (this.readyState === CLOSED || this.readyState === CLOSING || this._suspended) return;
      this._startOver('reconnecting now');
    }

    // Leaves the connection and connects again at once, from the cursor.
    _startOver(reason) {
      this._leaveConnection(reason);
      this.readyState = CONNECTING;
      this._attempt = 0;
      this._connect();
    }

    // Asks getToken for a new token and hands it to the connection: in band
    // on a WebSocket (no reconnect), by reopening an event stream from the
    // cursor, for the next request on polls.
    refreshToken() {
      if (typeof this.options.getToken !== 'function') return Promise.reject(new Error('no getToken option'));
      if (this._refreshing) return this._refreshing;
      this._refreshing = Promise.resolve()
        .then(() => this.options.getToken())
        .then((token) => {
          if (!token) throw new Error('getToken gave no token');
          this.options.token = String(token);
          this._stats.refreshes++;
          this._scheduleRefresh();
          const conn = this._conn;
          return conn && conn.opened && conn.refresh ? conn.refresh(this.options.token) : undefined;
        })
        .catch((err) => {
          this._emit('error', { message: 'token refresh failed: ' + err.message });
          // try again soon, before the token runs out if it still can
          clearTimeout(this._refreshTimer);
          this._refreshTimer = setTimeout(() => this.refreshToken().catch(() => {}), this.options.backoffInitial * 4);
          throw err;
        })
        .finally(() => { this._refreshing = null; });
      return this._refreshing;
    }

    // A quarter of the token's remaining life (at most 30 s) before it expires.
    _scheduleRefresh() {
      clearTimeout(this._refreshTimer);
      const exp = this.options.token ? tokenExp(this.options.token) : null;
      if (!exp || typeof this.options.getToken !== 'function') return;
      const left = exp * 1000 - Date.now();
      this._refreshTimer = setTimeout(() => this.refreshToken().catch(() => {}),
        Math.max(0, left - Math.min(30000, left / 4)));
    }

    // Whether a connection ended because its token was refused or ran out.
    _tokenRefused(info) {
      if (!this.options.token && info.status !== 401) return false;
      if (info.status === 401) return true;
      if (info.code === 1008 && /token/i.test(info.reason || '')) return true;
      const exp = this.options.token ? tokenExp(this.options.token) : null;
      return exp !== null && exp * 1000 <= Date.now();
    }

    // With getToken: a new token, then at once back from the cursor. Without:
    // one terminal 'unauthorized' and no retries (they would all fail).
    _reauthenticate(info) {
      if (typeof this.options.getToken !== 'function') {
        this._emit('unauthorized', { message: info.reason || 'the token was refused' });
        this.close();
        return;
      }
      this.refreshToken().then(() => this._retryNow(), () => this._schedule(false));
    }

    _suspend() {
      if (this.readyState === CLOSED || this.readyState === CLOSING) return;
      this._leaveConnection(null);
      this._suspended = true;
      this.readyState = CONNECTING;
    }

    // Stops the connection in use and any pending reconnect; a connection
    // that was open says 'disconnect' with the reason, when one is given.
    _leaveConnection(reason) {
      clearTimeout(this._timer);
      this._timer = null;
      const conn = this._conn;
      this._conn = null;
      if (!conn) return;
      clearTimeout(conn.openTimer);
      conn.stop();
      if (conn.opened && reason) this._emit('disconnect', { transport: conn.name, reason: reason });
    }

    // The page's events the client follows (see the constructor), on or off.
    _pageListeners(on) {
      const method = on ? 'addEventListener' : 'removeEventListener';
      if (root[method]) {
        root[method]('online', this._onOnline);
        root[method]('pagehide', this._onPageHide);
        root[method]('pageshow', this._onPageShow);
      }
      if (root.document && root.document[method]) {
        root.document[method]('visibilitychange', this._onVisible);
      }
    }

    _resume() {
      this._suspended = false;
      this._attempt = 0;
      this._retryNow();
    }

    _retryNow() {
      clearTimeout(this._timer);
      this._connect();
    }

    _gatewayReachable() {
      this._stats.requests++;
      // no-cors: a reachable gateway on another origin still resolves
      return fetch(this.url + '/health', { mode: 'no-cors', cache: 'no-store' })
        .then(() => true, () => false);
    }

    // --- what every transport reports ------------------------------------

    _position(topic) {
      return this._positions.get(topic);
    }

    // The subscribed frame (or a poll's cursor) tells where "now" is for a
    // topic the cursor did not name, and the epoch of one named without it.
    _learn(topic, id, epoch) {
      const p = this._positions.get(topic);
      if (!p) {
        this._positions.set(topic, { id: id, epoch: epoch || null });
      } else if (!p.epoch && epoch) {
        p.epoch = epoch;
      }
    }

    _acceptCursor(text) {
      for (const [topic, p] of parseCursor(text, this.topics)) {
        const mine = this._positions.get(topic);
        if (!mine || mine.epoch !== p.epoch || p.id > mine.id) this._positions.set(topic, p);
      }
    }

    _reset(r) {
      const old = this._positions.get(r.topic) || null;
      const from = Number(r.from) || 0;
      this._positions.set(r.topic, { id: Math.max(0, from - 1), epoch: r.epoch || null });
      this._stats.resets++;
      this._emit('reset', {
        topic: r.topic, from: from, epoch: r.epoch || null,
        previous: old ? { id: old.id, epoch: old.epoch } : null
      });
    }

    // A snapshot replaces the list; what differs from the list kept so far
    // (a reconnect, a poll) is told as joins and leaves, so the application
    // sees the same events whatever the transport.
    _presenceSnapshot(topic, snapshot) {
      if (snapshot && snapshot.unchanged) {
        // a poll that said what it had seen: the same members, maybe other counts
        const room = this._presence.get(topic);
        if (room && snapshot.counts) room.counts = snapshot.counts;
        return;
      }
      if (!snapshot || !Array.isArray(snapshot.members)) return;
      const before = this._presence.get(topic);
      const members = new Map(snapshot.members.map((m) => [m.id, m]));
      const room = { members: members, counts: snapshot.counts || null, truncated: !!snapshot.truncated,
        changed: snapshot.changed || 0 };
      this._presence.set(topic, room);
      if (before) {
        for (const [id, m] of members) {
          if (!before.members.has(id)) this._emit('join', { topic: topic, member: m, counts: room.counts });
        }
        for (const [id, m] of before.members) {
          if (!members.has(id) && !before.truncated && !room.truncated) {
            this._emit('leave', { topic: topic, member: m, counts: room.counts });
          }
        }
      }
      this._emit('presence', { topic: topic, members: this.members(topic), counts: room.counts,
        truncated: room.truncated });
    }

    // A join, leave or occupancy frame; a join of a member listed already
    // (or a leave of one not listed) changes nothing.
    _presenceChange(frame) {
      const room = this._presence.get(frame.topic);
      if (!room) return;
      if (frame.counts) room.counts = frame.counts;
      const m = frame.member;
      if (frame.op === 'join' && m && !room.members.has(m.id)) {
        room.members.set(m.id, m);
        this._emit('join', { topic: frame.topic, member: m, counts: room.counts });
      } else if (frame.op === 'leave' && m && room.members.has(m.id)) {
        room.members.delete(m.id);
        this._emit('leave', { topic: frame.topic, member: m, counts: room.counts });
      } else if (frame.op === 'occupancy') {
        this._emit('occupancy', { topic: frame.topic, counts: room.counts });
      }
    }

    _presenceFrame(frame) {
      if (frame.op === 'presence') this._presenceSnapshot(frame.topic, frame);
      else this._presenceChange(frame);
    }

    // The query of a subscription that joins presence.
    _presenceParams(params, poller) {
      if (!this.options.presence) return params;
      params.presence = '1';
      if (this.options.name) params.name = this.options.name;
      if (poller) {
        params.client = this._clientId;
        params.interval = String(Math.max(1, Math.ceil(this.options.pollInterval / 1000)));
        let seen = 0;
        for (const room of this._presence.values()) seen = Math.max(seen, room.changed || 0);
        if (seen) params.presenceSeen = String(seen);
      }
      return params;
    }

    // A compact event, [alias, data, id?, ts?], as the event object v1 sends:
    // the topic is what `topicOf` calls the alias, an id left out is the
    // topic's previous one + 1 (`ids`: the ids an SSE id line gives). A
    // negative alias is its complement, before a patch instead of data.
    _expand(arr, topicOf, ids) {
      if (typeof arr[0] !== 'number') return null;
      const patched = arr[0] < 0;
      const topic = topicOf[patched ? ~arr[0] : arr[0]];
      if (typeof topic !== 'string') return null;
      const p = this._positions.get(topic);
      const id = arr.length > 2 ? arr[2] : ids && ids.has(topic) ? ids.get(topic).id : p ? p.id + 1 : null;
      if (typeof id !== 'number') return null;
      const ev = { topic: topic, id: id };
      ev[patched ? 'patch' : 'data'] = arr[1];
      if (arr.length > 3) ev.ts = arr[3];
      return ev;
    }

    // The query every subscription shares: topics, format, presence.
    _subscribeParams(poller) {
      const params = { topics: this.topics.join(',') };
      if (this._conflate.param) params.conflate = this._conflate.param;
      // applies only to topics the cursor does not name: the same on every reconnect
      const rewind = this._rewindParam(this.topics);
      if (rewind) params.rewind = rewind;
      // a poll that asks for deltas says it holds the data at its cursor: only then
      if (this.options.delta && (!poller || this._holdsPatchBases())) params.delta = 'merge';
      if (this.options.format === 'compact') {
        params.format = 'compact';
        if (this.options.timestamps) params.ts = '1';
      }
      return this._presenceParams(params, poller);
    }

    // The rewind option's query value for a subscription to `topics`.
    _rewindParam(topics) {
      const entries = this._rewind.entries.filter(([topic]) => topics.indexOf(topic) >= 0)
        .map(([topic, n]) => topic + ':' + n);
      return (this._rewind.all ? [String(this._rewind.all)] : []).concat(entries).join(',');
    }

    // Whether the data of every event the cursor names is at hand, for a
    // patch to apply to (a reset or a resume from a saved cursor leaves none).
    _holdsPatchBases() {
      for (const [topic, p] of this._positions) {
        const base = this._lastData.get(topic);
        if (p.id > 0 && (!base || base.id !== p.id)) return false;
      }
      return true;
    }

    // A compact event that names no topic it knows or has no id to derive
    // breaks the protocol: the connection is left, and resumed from the cursor.
    _deliverCompact(conn, ev) {
      if (ev) return this._deliver(ev);
      this._drop(conn, { reason: 'a compact event the client cannot place', soon: true });
      return false;
    }

    // Returns false for a duplicate, which the application never sees.
    _deliver(ev) {
      if (!ev || typeof ev.topic !== 'string' || typeof ev.id !== 'number') return false;
      if (ev.encoding === 'base64' && typeof ev.data === 'string') {
        // a binary event on a JSON wire: the application gets bytes, as over a WebSocket
        ev.data = this._bytes(base64Bytes(ev.data), ev.contentType);
        delete ev.encoding;
      }
      const p = this._positions.get(ev.topic);
      if (p && ev.id <= p.id) {
        this._stats.duplicates++;
        return false;
      }
      if (p && p.id > 0 && ev.id > p.id + 1 && !this._conflate.topics.has(ev.topic) && !this._conflate.all) {
        // Ids have no gaps (PROTOCOL.md), so one here is lost in transit
        // (unless conflating, which skips by request):
        // never hand the application a hole, fetch it again from history.
        // (Position 0 is "from the oldest kept", which may be any id.)
        this._stats.gaps++;
        this._drop(this._conn, {
          reason: 'missing ' + ev.topic + ' ' + (p.id + 1) + '..' + (ev.id - 1) + ', resuming from the cursor',
          soon: true
        });
        return false;
      }
      if (ev.patch !== undefined) {
        // the gateway patches only from the event just before, which it sent us
        const base = this._lastData.get(ev.topic);
        if (!base || base.id !== ev.id - 1) {
          this._drop(this._conn, { reason: 'a patch of ' + ev.topic + ' ' + ev.id + ' without its base, resuming', soon: true });
          return false;
        }
        ev.data = mergePatch(base.data, ev.patch);
        delete ev.patch;
        this._stats.patches++;
      }
      if (this.options.delta) this._lastData.set(ev.topic, { id: ev.id, data: ev.data });
      if (p) p.id = ev.id; else this._positions.set(ev.topic, { id: ev.id, epoch: null });
      this._stats.events++;
      if (typeof ev.ts === 'number') {
        this._latencies.push(Math.max(0, Date.now() - ev.ts));
        if (this._latencies.length > this.options.latencyWindow) this._latencies.shift();
      }
      this._emit('message', {
        data: ev, topic: ev.topic, id: ev.id, ts: ev.ts, lastEventId: this.cursor,
        transport: this.transport
      });
      return true;
    }

    _emit(type, props) {
      const ev = makeEvent(type, props);
      const handler = this['on' + type];
      if (typeof handler === 'function') {
        try { handler.call(this, ev); } catch (e) { setTimeout(() => { throw e; }); }
      }
      this.dispatchEvent(ev);
    }

    // --- HTTP helpers shared by the transports ---------------------------

    _httpUrl(path, params) {
      const q = new URLSearchParams(params);
      if (this.options.token) q.set('token', this.options.token);
      if (this.options.meter) q.set('meter', this.options.meter);
      return this.url + path + '?' + q.toString();
    }

    _fetchJson(url, init) {
      this._stats.requests++;
      const headers = Object.assign({}, (init && init.headers) || {});
      if (this.options.token) headers.Authorization = 'Bearer ' + this.options.token;
      return fetch(url, Object.assign({ cache: 'no-store' }, init, { headers: headers }))
        .then((res) => res.text().then((text) => {
          let body = null;
          try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
          if (!res.ok) {
            const err = new Error((body && body.error && body.error.message) || ('HTTP ' + res.status));
            err.status = res.status;
            err.code = body && body.error && body.error.code;
            throw err;
          }
          return body;
        }));
    }

    _publishHttp(topic, data, key) {
      const url = this._httpUrl('/api/topics/' + encodeURIComponent(topic) + '/events', {});
      const binary = isBinary(data);
      const body = binary ? data : JSON.stringify(data === undefined ? null : data);
      const size = binary ? byteLength(data) : body.length;
      const headers = { 'Content-Type': binary ? contentTypeOf(data) : 'application/json' };
      if (key !== undefined) headers['Idempotency-Key'] = key;
      this._httpBuffered += size;
      return this._fetchJson(url, { method: 'POST', headers: headers, body: body })
        .finally(() => { this._httpBuffered -= size; })
        .then((answer) => published(answer));
    }

    _publishHttpAll(batch) {
      const body = JSON.stringify({ events: batch });
      this._httpBuffered += body.length;
      return this._fetchJson(this._httpUrl('/api/events', {}),
        { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body })
        .finally(() => { this._httpBuffered -= body.length; })
        .then((answer) => answer.results.map(batchResult));
    }

    // Bytes as the application asked for them (binaryType), with their type on a Blob.
    _bytes(u8, contentType) {
      // u8 is a fresh array of its own (base64Bytes): its buffer is exactly the bytes
      if (this.options.binaryType === 'arraybuffer') return u8.buffer;
      return new Blob([u8], { type: contentType || '' });
    }
  }

  for (const [name, value] of Object.entries({ CONNECTING, OPEN, CLOSING, CLOSED })) {
    PushClient[name] = value;
    PushClient.prototype[name] = value;
  }
  PushClient.TRANSPORTS = TRANSPORTS.slice();
  PushClient.DEFAULTS = Object.freeze(Object.assign({}, DEFAULTS, { unavailable: Object.freeze([]) }));

  // --- transports ----------------------------------------------------------
  // Each is a small object {start, stop, publish?} that reports to the client
  // through _opened, _drop, _learn, _reset, _deliver and _acceptCursor.

  function unavailableConnection(client, name) {
    let timer = null;
    const conn = {
      start() {
        // async, like a real failure, so listeners see 'connecting' first
        timer = setTimeout(() => client._drop(conn, { unavailable: true, reason: name + ' unavailable' }), 0);
      },
      stop() { clearTimeout(timer); }
    };
    return conn;
  }

  function webSocketConnection(client) {
    let ws = null;
    let heartbeat = null;
    let awaitingPong = false;
    let nextRef = 1;
    const pending = new Map(); // ref -> {resolve, reject, timer}
    let envelope = null; // a binary event's envelope, waiting for its binary frame
    const aliases = []; // compact format: alias -> topic, from the subscribed frames

    function failPending(message) {
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        // the frame may or may not have reached the gateway
        p.reject(new Error(message));
      }
      pending.clear();
    }

    // A frame with a ref, answered by an ack (or authenticated) or an error;
    // bytes, when given, go right after it as one binary message.
    function request(frame, what, bytes) {
      const ref = 'p' + (nextRef++);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(ref);
          reject(new Error(what + ' timed out'));
        }, client.options.publishTimeout);
        pending.set(ref, { resolve, reject, timer });
        ws.send(JSON.stringify(Object.assign(frame, { ref: ref })));
        if (bytes !== undefined) ws.send(bytes);
      });
    }

    function onFrame(msg) {
      switch (msg.op) {
        case undefined:
          if (typeof msg.bytes === 'number' && msg.data === undefined) {
            envelope = msg; // its bytes are the next message
          } else {
            client._deliver(msg);
          }
          break;
        case 'subscribed':
          client._learn(msg.topic, msg.id, msg.epoch);
          if (typeof msg.alias === 'number') aliases[msg.alias] = msg.topic;
          break;
        case 'reset':
          client._reset(msg);
          break;
        case 'ack':
        case 'authenticated': {
          const p = pending.get(msg.ref);
          if (p) {
            pending.delete(msg.ref);
            clearTimeout(p.timer);
            p.resolve(msg.op === 'authenticated' ? { exp: msg.exp }
              : msg.results ? msg.results.map(batchResult) : published(msg));
          }
          break;
        }
        case 'error': {
          const p = msg.ref !== undefined && pending.get(msg.ref);
          if (p) {
            pending.delete(msg.ref);
            clearTimeout(p.timer);
            const err = new Error(msg.message || msg.code);
            err.code = msg.code;
            p.reject(err);
          } else {
            client._emit('error', { transport: 'ws', code: msg.code, message: msg.message });
          }
          break;
        }
        case 'pong':
          awaitingPong = false;
          break;
        case 'presence':
        case 'join':
        case 'leave':
        case 'occupancy':
          client._presenceFrame(msg);
          break;
        default:
          break;
      }
    }

    const conn = {
      start() {
        const params = client._subscribeParams(false);
        params.binary = '1';
        if (client.cursor) params.cursor = client.cursor;
        client._stats.requests++;
        conn.token = client.options.token;
        try {
          const url = new URL(client._httpUrl('/ws', params), root.location && root.location.href);
          ws = new WebSocket(url.href.replace(/^http/, 'ws'));
          ws.binaryType = client.options.binaryType === 'arraybuffer' ? 'arraybuffer' : 'blob';
        } catch (e) {
          setTimeout(() => client._drop(conn, { reason: String(e) }), 0);
          return;
        }
        ws.onopen = () => {
          client._opened(conn);
          if (client.options.heartbeat > 0) {
            heartbeat = setInterval(() => {
              // a silent half-open socket (phone changed network) never
              // fires close by itself
              if (awaitingPong) {
                client._drop(conn, { reason: 'no pong', soon: true });
                return;
              }
              awaitingPong = true;
              ws.send('{"op":"ping"}');
            }, client.options.heartbeat);
          }
        };
        ws.onmessage = (e) => {
          if (typeof e.data !== 'string') {
            // the bytes of the binary event whose envelope came just before
            const ev = envelope;
            envelope = null;
            if (ev) {
              delete ev.bytes;
              ev.data = e.data instanceof Blob && ev.contentType && e.data.type !== ev.contentType
                ? e.data.slice(0, e.data.size, ev.contentType) : e.data;
              client._deliver(ev);
            }
            return;
          }
          let msg;
          try { msg = JSON.parse(e.data); } catch (err) { return; }
          awaitingPong = false;
          if (Array.isArray(msg)) {
            client._deliverCompact(conn, client._expand(msg, aliases));
            return;
          }
          onFrame(msg);
        };
        ws.onclose = (e) => {
          // 1001 going away / 1013 try again later: the gateway asks us to
          // come back at once with our cursor
          client._drop(conn, {
            code: e.code, reason: e.reason || ('closed ' + e.code),
            soon: e.code === 1001 || e.code === 1013
          });
        };
        ws.onerror = () => {}; // onclose follows and says more
      },
      stop() {
        clearInterval(heartbeat);
        failPending('connection closed before the ack');
        if (ws) {
          ws.onopen = ws.onmessage = ws.onclose = null;
          if (ws.readyState <= 1) ws.close();
        }
      },
      publish(topic, data, key) {
        if (!ws || ws.readyState !== 1) return client._publishHttp(topic, data, key);
        const frame = isBinary(data)
          ? { op: 'publish', topic: topic, contentType: contentTypeOf(data), bytes: byteLength(data) }
          : { op: 'publish', topic: topic, data: data === undefined ? null : data };
        if (key !== undefined) frame.key = key;
        return request(frame, 'publish', isBinary(data) ? data : undefined);
      },
      publishAll(batch) {
        if (!ws || ws.readyState !== 1) return client._publishHttpAll(batch);
        return request({ op: 'publish', events: batch }, 'publish');
      },
      bufferedAmount() {
        return ws ? ws.bufferedAmount : 0;
      },
      // in band: the connection stays, with the new token's grants and expiry
      refresh(token) {
        if (!ws || ws.readyState !== 1) return undefined;
        conn.token = token;
        return request({ op: 'auth', token: token }, 'token refresh');
      }
    };
    return conn;
  }

  function sseConnection(client) {
    let source = null;
    let stopped = false;

    function open() {
      if (stopped) return;
      const params = client._subscribeParams(false);
      if (client.cursor) params.cursor = client.cursor;
      client._stats.requests++;
      conn.token = client.options.token;
      source = new EventSource(client._httpUrl('/sse', params));
      // once: a stream reopened for a new token is the same connection
      source.onopen = () => { if (!conn.opened) client._opened(conn); };
      // `bareAlias`: what a compact one-topic stream's bare value stands for, 0 for data, -1 for
      // a patch (with delta, an event of its own type)
      const onEvent = (e, bareAlias) => {
        let ev;
        try { ev = JSON.parse(e.data); } catch (err) { return; }
        if (client.options.format === 'compact') {
          // the id line holds every id, in the topics' order; with one topic the data comes
          // alone, unless timestamps were asked for
          const ids = parseCursor(e.lastEventId, client.topics);
          client._deliverCompact(conn, client.topics.length === 1 && !client.options.timestamps
            ? client._expand([bareAlias, ev], client.topics, ids) : client._expand(ev, client.topics, ids));
        } else {
          client._deliver(ev);
        }
        // the id is the full cursor after this event, epochs included
        // (unless the event made the client leave this stream)
        if (!stopped && e.lastEventId) client._acceptCursor(e.lastEventId);
      };
      source.onmessage = (e) => onEvent(e, 0);
      source.addEventListener('patch', (e) => onEvent(e, -1));
      // the compact format's binary events, in full, as events of their own type
      source.addEventListener('binary', (e) => {
        try { client._deliver(JSON.parse(e.data)); } catch (err) { return; }
        if (!stopped && e.lastEventId) client._acceptCursor(e.lastEventId);
      });
      source.addEventListener('reset', (e) => {
        try { client._reset(JSON.parse(e.data)); } catch (err) { /* ignore */ }
      });
      source.addEventListener('presence', (e) => {
        let frame;
        try { frame = JSON.parse(e.data); } catch (err) { return; }
        client._presenceFrame(frame);
      });
      source.onerror = () => {
        // The browser would reconnect by itself, but with its own timing
        // and no fallback: the client owns reconnects.
        close();
        if (!conn.token) {
          client._drop(conn, { reason: 'event stream failed' });
          return;
        }
        // An EventSource shows no status: one request with the same token
        // tells a refused (revoked) token from a broken stream, so the client
        // asks getToken for a new one instead of retrying the old one.
        const probe = client._fetchJson(client._httpUrl('/api/topics/' + encodeURIComponent(client.topics[0]), {}))
          .then(() => 0, (err) => err.status || 0);
        const giveUp = new Promise((resolve) => setTimeout(() => resolve(0), PROBE_MS));
        Promise.race([probe, giveUp]).then((status) => client._drop(conn,
          status === 401 ? { reason: 'event stream failed', status: 401 } : { reason: 'event stream failed' }));
      };
    }

    const conn = {
      start() {
        // The stream says nothing until the first event, so a topic the
        // cursor does not name is pinned to "now" first (or, with rewind, to
        // the events it rewinds to, delivered here); otherwise a reconnect
        // before any event would silently skip ahead.
        const unknown = client.topics.filter((t) => !client._position(t));
        if (!unknown.length) {
          open();
          return;
        }
        const pin = { topics: unknown.join(',') };
        const rewind = client._rewindParam(unknown);
        if (rewind) pin.rewind = rewind;
        client._fetchJson(client._httpUrl('/poll', pin))
          .then((body) => {
            if (stopped || !body) return;
            (body.events || []).forEach((ev) => client._deliver(ev));
            client._acceptCursor(body.cursor);
          })
          .catch(() => { /* short polling may be off; start at "now" */ })
          .then(open);
      },
      stop() {
        stopped = true;
        close();
      },
      // An EventSource cannot change its URL: a new one, from the cursor.
      refresh() {
        if (stopped) return;
        close();
        open();
      }
    };

    function close() {
      if (source) {
        source.onopen = source.onmessage = source.onerror = null;
        source.close();
      }
    }
    return conn;
  }

  // Long and short polling share everything but the URL and the pause.
  function pollConnection(client, long) {
    let stopped = false;
    let controller = null;
    let timer = null;

    function poll() {
      if (stopped) return;
      const params = client._subscribeParams(true);
      if (client.cursor) params.cursor = client.cursor;
      // The first poll of a connection waits one second at most, so the
      // client learns at once that the transport works instead of sitting
      // in CONNECTING for a whole quiet long poll.
      if (long) params.timeout = String(conn.opened ? client.options.longPollTimeout : 1);
      controller = new AbortController();
      // a poll that outlives the gateway's timeout by far is a dead one
      const guard = setTimeout(() => controller.abort(),
        (long ? client.options.longPollTimeout * 1000 : 0) + 15000);
      client._fetchJson(client._httpUrl(long ? '/poll/long' : '/poll', params),
        { signal: controller.signal })
        .then((body) => {
          clearTimeout(guard);
          if (stopped) return;
          if (!conn.opened) client._opened(conn);
          for (const r of body.resets || []) client._reset(r);
          for (const ev of body.events || []) {
            if (Array.isArray(ev)) client._deliverCompact(conn, client._expand(ev, client.topics));
            else client._deliver(ev);
            // a gap ends this connection; its cursor must not skip the hole
            if (stopped) return;
          }
          if (body.cursor) client._acceptCursor(body.cursor);
          for (const topic of Object.keys(body.presence || {})) client._presenceSnapshot(topic, body.presence[topic]);
          // conflating, the next poll waits out the window this answer began
          const pause = long ? client._conflate.all : Math.max(client.options.pollInterval, client._conflate.all);
          if (body.more || pause <= 0 || long && !(body.events || []).length) poll();
          else timer = setTimeout(poll, pause);
        }, (err) => {
          clearTimeout(guard);
          if (stopped) return;
          // 404: the gateway does not serve this transport (any more)
          client._drop(conn, {
            reason: err.message, unavailable: err.status === 404,
            status: err.status, soon: false
          });
        });
    }

    const conn = {
      start: poll,
      stop() {
        stopped = true;
        clearTimeout(timer);
        if (controller) controller.abort();
      }
    };
    return conn;
  }

  const FACTORIES = {
    ws: { supported: () => typeof root.WebSocket === 'function', create: webSocketConnection },
    sse: { supported: () => typeof root.EventSource === 'function', create: sseConnection },
    long: { supported: () => typeof root.fetch === 'function', create: (c) => pollConnection(c, true) },
    short: { supported: () => typeof root.fetch === 'function', create: (c) => pollConnection(c, false) }
  };

  root.PushClient = PushClient;
})(typeof globalThis !== 'undefined' ? globalThis : this);
