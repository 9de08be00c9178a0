/*
 * The demo page: a ticker feed, a chat room and a side-by-side comparison of
 * the four transports. Views start their clients the first time they are
 * shown, so a phone looking at the ticker holds one connection, not six.
 *
 * Query options: ?transport=ws|sse|long|short|auto (ticker and chat),
 * ?topic=NAME (compare view), ?pollInterval=MS (short polling).
 */
(function () {
  'use strict';

  const params = new URLSearchParams(location.search);
  const base = new URL('.', location.href).href.replace(/\/$/, '');
  const transport = params.get('transport') || 'auto';
  const pollInterval = Number(params.get('pollInterval')) || 1000;
  const demo = (window.demo = { compare: {} });

  const $ = (id) => document.getElementById(id);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function ms(value) {
    return value === null || value === undefined ? '–' : Math.round(value) + ' ms';
  }

  function describe(client) {
    const s = client.stats;
    const state = ['connecting', 'open', 'closing', 'closed'][client.readyState];
    return state + (client.transport ? ' · ' + client.transport : '') + ' · ' + s.events
      + ' events · median ' + ms(s.latency.median);
  }

  // Keeps at most `max` children, dropping the oldest.
  function prepend(list, node, max) {
    list.insertBefore(node, list.firstChild);
    while (list.children.length > max) list.removeChild(list.lastChild);
  }

  // --- ticker ---------------------------------------------------------------

  function startTicker() {
    const rows = new Map();
    const client = new PushClient(base, { topics: ['demo.ticker'], transport, pollInterval });
    demo.ticker = client;
    const status = () => { $('ticker-status').textContent = describe(client); };
    client.addEventListener('open', status);
    client.addEventListener('disconnect', status);
    client.addEventListener('reset', (e) => {
      prepend($('ticker-feed'), el('li', 'reset', 'history restarted at #' + e.from), 30);
    });
    client.onmessage = (e) => {
      const ev = e.data;
      const q = ev.data || {};
      const symbol = String(q.symbol || '?');
      const price = Number(q.price);
      let row = rows.get(symbol);
      if (!row) {
        row = { tr: el('tr'), count: 0, price: null };
        ['symbol', 'price', 'change', 'count'].forEach((c) => row.tr.appendChild(el('td', c)));
        row.tr.children[0].textContent = symbol;
        rows.set(symbol, row);
        const sorted = [...rows.keys()].sort();
        $('ticker-quotes').insertBefore(row.tr, $('ticker-quotes').children[sorted.indexOf(symbol)] || null);
        $('ticker-empty').hidden = true;
      }
      const change = row.price === null ? 0 : price - row.price;
      row.price = price;
      row.count++;
      row.tr.children[1].textContent = price.toFixed(2);
      row.tr.children[2].textContent = (change >= 0 ? '+' : '') + change.toFixed(2);
      row.tr.children[2].className = 'change ' + (change > 0 ? 'up' : change < 0 ? 'down' : '');
      row.tr.children[3].textContent = row.count;
      const time = new Date(ev.ts).toLocaleTimeString();
      prepend($('ticker-feed'),
        el('li', '', '#' + ev.id + ' ' + symbol + ' ' + price.toFixed(2) + ' at ' + time), 30);
      status();
    };
  }

  // --- chat -----------------------------------------------------------------

  function chatName() {
    let name = localStorage.getItem('push-demo-name');
    if (!name) {
      name = 'guest-' + Math.floor(100 + Math.random() * 900);
      localStorage.setItem('push-demo-name', name);
    }
    return name;
  }

  // How the room can show who is here: with names (presenceNames, on with
  // --demo), anonymously (counts only), or not at all (presence off).
  function chatPresence(name) {
    const query = base + '/poll?topics=chat&presence=1&name=' + encodeURIComponent(name);
    return fetch(query, { cache: 'no-store' })
      .then((res) => (res.ok ? { presence: true, name } : res.json().then((body) => ({
        presence: !/presence is off/.test((body.error && body.error.message) || ''), name: ''
      }))))
      .catch(() => ({ presence: false, name: '' }));
  }

  function showMembers(client) {
    const counts = client.occupancy('chat');
    const names = client.members('chat').map((m) => m.id);
    const others = counts ? counts.anonymous : 0;
    $('chat-online').textContent = counts
      ? 'online: ' + (names.join(', ') || 'nobody named') + (others ? ' and ' + others + ' anonymous' : '')
      : '';
  }

  function chatNotice(text) {
    const log = $('chat-log');
    log.appendChild(el('li', 'notice', text));
    log.scrollTop = log.scrollHeight;
  }

  // A name in media-type token characters, so it can ride in the image's type.
  function imageType(file) {
    const from = ($('chat-name').value.trim() || chatName()).replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 32);
    return (file.type || 'application/octet-stream') + '; from=' + (from || 'anonymous');
  }

  function imageSender(contentType) {
    const match = /;\s*from=([^;\s]+)/.exec(contentType || '');
    return match ? match[1] : 'anonymous';
  }

  // an idempotency key per message (crypto.randomUUID needs a secure context: https or localhost)
  function messageKey() {
    return globalThis.crypto && crypto.randomUUID ? crypto.randomUUID()
      : Date.now().toString(36) + '-' + Math.random().toString(36).slice(2);
  }

  // the chat message being sent, or whose send failed: {text, user, key}
  let unsent = null;

  function sendImage(file) {
    if (!demo.chat) return;
    const typed = new Blob([file], { type: imageType(file) });
    demo.chat.publish('chat', typed, { key: messageKey() })
      .catch((err) => { $('chat-status').textContent = 'image not sent: ' + err.message; });
  }

  function startChat() {
    $('chat-name').value = chatName();
    $('chat-name').addEventListener('change', () => {
      localStorage.setItem('push-demo-name', $('chat-name').value.trim() || chatName());
    });
    chatPresence(chatName()).then((presence) => {
      // the room opens with its last messages, then goes on live
      const client = new PushClient(base, {
        topics: ['chat'], rewind: 50, transport, pollInterval, presence: presence.presence, name: presence.name
      });
      demo.chat = client;
      const status = () => { $('chat-status').textContent = describe(client); };
      client.addEventListener('open', status);
      client.addEventListener('disconnect', status);
      client.addEventListener('presence', () => showMembers(client));
      client.addEventListener('occupancy', () => showMembers(client));
      client.addEventListener('join', (e) => {
        showMembers(client);
        if (e.member.id !== presence.name) chatNotice(e.member.id + ' joined');
      });
      client.addEventListener('leave', (e) => {
        showMembers(client);
        chatNotice(e.member.id + ' left');
      });
      client.addEventListener('reset', (e) => {
        $('chat-log').appendChild(el('li', 'reset', 'chat history restarted at #' + e.from));
      });
      client.onmessage = (e) => {
        const image = e.data.data instanceof Blob ? e.data.data : null;
        // an image is a binary event; its sender rides in its media type (image/png; from=ann)
        const msg = image ? { user: imageSender(e.data.contentType) } : (e.data.data || {});
        const li = el('li', msg.user === $('chat-name').value ? 'mine' : '');
        li.appendChild(el('b', 'user', String(msg.user || 'anonymous')));
        if (image) {
          const img = el('img');
          img.alt = 'image from ' + (msg.user || 'anonymous');
          img.src = URL.createObjectURL(image);
          img.onload = () => URL.revokeObjectURL(img.src);
          li.appendChild(img);
        } else {
          li.appendChild(el('span', 'text', String(msg.text || '')));
        }
        li.dataset.id = e.data.id;
        const log = $('chat-log');
        log.appendChild(li);
        while (log.children.length > 200) log.removeChild(log.firstChild);
        log.scrollTop = log.scrollHeight;
        status();
      };
    });
    $('chat-image').addEventListener('change', () => {
      const file = $('chat-image').files[0];
      $('chat-image').value = '';
      if (file) sendImage(file);
    });
    $('chat-text').addEventListener('paste', (e) => {
      const item = Array.from(e.clipboardData ? e.clipboardData.items : []).find((i) => i.type.startsWith('image/'));
      if (!item) return;
      e.preventDefault();
      sendImage(item.getAsFile());
    });
    // registered at once: a submit before the client exists must not
    // reload the page with the message in its URL
    $('chat-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const input = $('chat-text');
      const text = input.value.trim();
      if (!text || !demo.chat) return;
      const user = $('chat-name').value.trim() || chatName();
      // a message keeps its key until it is sent: the client sends it again with it after a
      // network blip, and so does Send pressed again after a failure, and it is stored once
      if (!unsent || unsent.text !== text || unsent.user !== user) unsent = { text, user, key: messageKey() };
      $('chat-send').disabled = true;
      demo.chat.publish('chat', { user, text }, { key: unsent.key })
        .then(() => { input.value = ''; unsent = null; })
        .catch((err) => { $('chat-status').textContent = 'not sent: ' + err.message; })
        .then(() => { $('chat-send').disabled = false; input.focus(); });
    });
  }

  // --- compare --------------------------------------------------------------

  const PANELS = [
    { key: 'ws', title: 'WebSocket', transport: 'auto' },
    { key: 'sse', title: 'Server-Sent Events', transport: 'sse' },
    { key: 'long', title: 'Long polling', transport: 'long' },
    { key: 'short', title: 'Short polling', transport: 'short' }
  ];
  let compareTimer = null;
  let meterTimer = null;
  // the gateway's latest reading of each panel's meter
  const meters = (demo.meters = {});

  function startCompare() {
    const topic = params.get('topic') || 'demo.ticker';
    $('compare-topic').textContent = topic;
    const container = $('panels');
    container.textContent = '';
    const unavailable = () => ($('no-ws').checked ? ['ws'] : []);
    for (const p of PANELS) {
      const node = $('panel-template').content.firstElementChild.cloneNode(true);
      node.dataset.transport = p.key;
      node.querySelector('.name').textContent = p.title;
      container.appendChild(node);
      const client = new PushClient(base, {
        topics: [topic], transport: p.transport, pollInterval, unavailable: unavailable(),
        meter: 'compare-' + p.key + '-' + Math.random().toString(36).slice(2, 12)
      });
      demo.compare[p.key] = client;
      const trail = [];
      const note = (text) => {
        trail.push(text);
        node.querySelector('.trail').textContent = trail.slice(-4).join(' → ');
      };
      client.addEventListener('error', (e) => { if (e.transport) note(e.transport + ' ✗'); });
      client.addEventListener('open', (e) => note(e.transport + ' ✓'));
      panelRender(node, client, p);
    }
    compareTimer = setInterval(() => {
      for (const p of PANELS) {
        panelRender(container.querySelector('[data-transport="' + p.key + '"]'), demo.compare[p.key], p);
      }
    }, 250);
    const readMeters = () => {
      for (const p of PANELS) {
        const client = demo.compare[p.key];
        // with the events the client had when the reading came: both from the same moment
        if (client) {
          client.readMeter()
            .then((m) => { meters[p.key] = m && Object.assign({ events: client.stats.events }, m); })
            .catch(() => {});
        }
      }
    };
    readMeters();
    meterTimer = setInterval(readMeters, 1000);
  }

  function perEvent(value, events, digits) {
    return events > 0 ? (value / events).toFixed(digits) : '–';
  }

  function panelRender(node, client, panel) {
    const s = client.stats;
    const on = client.readyState === PushClient.OPEN ? client.transport : 'connecting';
    const badge = node.querySelector('.badge');
    badge.textContent = panel.transport === 'auto' ? 'auto · ' + on : on;
    badge.className = 'badge ' + (client.readyState === PushClient.OPEN ? 'ok' : 'wait')
      + (panel.transport === 'auto' && client.transport && client.transport !== 'ws' ? ' fallback' : '');
    node.querySelector('.median').textContent = ms(s.latency.median);
    node.querySelector('.p99').textContent = ms(s.latency.p99);
    node.querySelector('.events').textContent = s.events;
    node.querySelector('.requests').textContent = s.requests;
    node.querySelector('.reconnects').textContent = s.reconnects;
    const m = meters[panel.key];
    node.querySelector('.down').textContent = m ? perEvent(m.bytesDown, m.events, 0) + ' B' : '–';
    node.querySelector('.up').textContent = m ? perEvent(m.bytesUp, m.events, 0) + ' B' : '–';
    node.querySelector('.per-event').textContent = m ? perEvent(m.requests, m.events, 3) : '–';
  }

  function stopCompare() {
    clearInterval(compareTimer);
    clearInterval(meterTimer);
    for (const key of Object.keys(meters)) delete meters[key];
    for (const key of Object.keys(demo.compare)) demo.compare[key].close();
    demo.compare = {};
  }

  $('no-ws').addEventListener('change', (e) => {
    // only the auto panel can fall back; the others are pinned
    const client = demo.compare.ws;
    if (client) client.setUnavailable(e.target.checked ? ['ws'] : []);
  });

  // --- views ----------------------------------------------------------------

  const views = {
    ticker: { start: startTicker },
    chat: { start: startChat },
    compare: { start: startCompare, stop: stopCompare }
  };
  let current = null;

  function show() {
    const name = views[location.hash.slice(1)] ? location.hash.slice(1) : 'ticker';
    if (name === current) return;
    if (current && views[current].stop) {
      views[current].stop();
      views[current].started = false;
    }
    current = name;
    for (const key of Object.keys(views)) $(key).hidden = key !== name;
    document.querySelectorAll('nav a').forEach((a) => {
      a.classList.toggle('active', a.dataset.view === name);
    });
    if (!views[name].started) {
      views[name].started = true;
      views[name].start();
    }
  }

  window.addEventListener('hashchange', show);
  show();
})();
