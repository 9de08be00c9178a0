'use strict';
// Socket.IO 4 as the load test runs it (--peer socketio): the load test copies this file and
// package.json into a folder of its own, installs the pinned socket.io there once, and starts
//   node server.js --port <port> --token <token>
// on a loopback port. Socket.IO's defaults are kept (no per-message deflate, pings every 25 s),
// so it is measured as people run it.
//   client -> server  "join"    (room, ack)          joins the room; ack({ok: true})
//   client -> server  "publish" ({room, data}, ack)  sends "event" with data to the room; ack({ok: true})
//   server -> clients "event"   data                 the publisher's object, unchanged
//   GET /health                                      answers the token: the load test's proof it started this one
const fs = require('fs');
const http = require('http');
const path = require('path');
const { Server } = require('socket.io');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const port = Number(option('--port', 9100));
const token = option('--token', 'socket.io');

const httpServer = http.createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(token);
    return;
  }
  res.writeHead(404);
  res.end();
});
const io = new Server(httpServer, { serveClient: false });

io.on('connection', (socket) => {
  socket.on('join', (room, ack) => {
    if (typeof room !== 'string' || room.length === 0 || room.length > 128) {
      if (typeof ack === 'function') ack({ ok: false });
      return;
    }
    socket.join(room);
    if (typeof ack === 'function') ack({ ok: true });
  });
  socket.on('publish', (message, ack) => {
    if (!message || typeof message.room !== 'string') {
      if (typeof ack === 'function') ack({ ok: false });
      return;
    }
    io.to(message.room).emit('event', message.data);
    if (typeof ack === 'function') ack({ ok: true });
  });
});

httpServer.listen(port, '127.0.0.1', () => {
  const installed = JSON.parse(fs.readFileSync(path.join(__dirname, 'node_modules', 'socket.io', 'package.json'), 'utf8'));
  console.log(JSON.stringify({ listening: port, socketio: installed.version, node: process.version }));
});

const stop = () => {
  io.close();
  httpServer.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
