package io.pushgateway.gateway.transport.ws;

import io.pushgateway.gateway.core.Cursor;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.Stored;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.LiveStream;
import io.pushgateway.gateway.core.Position;
import io.pushgateway.gateway.core.PresenceChange;
import io.pushgateway.gateway.core.Reset;
import io.pushgateway.gateway.core.TopicState;
import io.pushgateway.gateway.core.Transport;
import io.pushgateway.gateway.security.Access;
import io.pushgateway.gateway.security.Limits;
import io.pushgateway.gateway.security.TokenBucket;
import io.pushgateway.gateway.security.TokenWatch;
import io.pushgateway.gateway.transport.EventFormat;
import io.pushgateway.gateway.transport.Membership;
import io.pushgateway.gateway.transport.PublishRule;
import io.pushgateway.gateway.transport.PushPresence;
import io.pushgateway.gateway.transport.PushWebSocket;
import io.pushgateway.gateway.transport.SubscriptionParams;
import io.pushgateway.gateway.transport.TransportContext;
import io.pushgateway.gateway.wire.JsonText;
import io.pushgateway.gateway.wire.Spelling;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * One WebSocket subscriber: its {@link LiveStream}, the client's commands, and every resource it
 * holds, released in {@link #release()} whichever way the connection ends.
 */
final class WebSocketSession implements LiveStream.Sink, PushWebSocket.Listener {

  private static final System.Logger LOG = System.getLogger(WebSocketSession.class.getName());

  /** RFC 6455 §7.4.1 and the protocol's close codes. */
  static final short NORMAL = 1000;
  static final short GOING_AWAY = 1001;
  static final short POLICY_VIOLATION = 1008;
  /** Rate-limit strikes are counted over windows of this length. */
  private static final long STRIKE_WINDOW_NANOS = 10_000_000_000L;
  static final short TRY_AGAIN_LATER = 1013;

  /** The connection, on whichever write path: events, replies, the closing handshake. */
  private final PushWebSocket socket;
  private final TransportContext context;
  private final WebSocketTransport transport;
  private final LiveStream stream;
  /** What the connection may do: replaced when the client refreshes its token. */
  private Access access;
  /** Who it is in presence; null when presence is off. */
  private final Membership membership;
  /** Its places in presence, from its first join (most connections never join); else null. */
  private PushPresence presence;
  /** Its command bucket and strikes: made at its first command or refusal, as most connections have none. */
  private Pacing pacing;
  /** Ends the connection when its token expires or is revoked. */
  private TokenWatch tokenWatch = TokenWatch.NONE;
  private long lastHeard = System.nanoTime();
  /** Publishes appended but not yet answered: a close waits for their acks. */
  private int publishing;
  /** Their data's bytes, held to maxQueueBytes: past it the client is not read until acks come back. */
  private long publishingBytes;
  /** What it counts against its user's {@code maxConnectionsPerUser}, given back on release. */
  private final Limits.UserStream held;
  /** A close decided while publishes were still being appended; null until then. */
  private String closeReason;
  private short closeCode;
  private boolean released;
  /** Completed on release; made only when someone waits for it (a shutdown's drain), on the event loop. */
  private Promise<Void> releasedPromise;
  /** Binary events go as an envelope and a binary frame; else as JSON with their bytes in base64. */
  private boolean binaryFrames;
  /** With the compact format or deltas, their state: aliases, patches' bases; null for v1's. */
  private EventSpeller speller;
  /** A binary publish announced, waiting for its message; null when none is. */
  private ClientCommand announced;
  /** The media type the publish rule admitted for it. */
  private String announcedType;
  /** The announce was refused: its binary message, when it comes, is dropped unanswered. */
  private boolean dropNextBinary;
  /** What the announced binary message holds of the gateway's maxReceivingBytes until it comes. */
  private int receiving;

  /** {@code membership}: who it is in presence; null when presence is off; {@code held}: its count against its user's streams. */
  WebSocketSession(PushWebSocket socket, TransportContext context, WebSocketTransport transport, Access access,
                   Membership membership, Limits.UserStream held) {
    this.held = held;
    this.socket = socket;
    this.access = access;
    this.context = context;
    this.transport = transport;
    this.stream = new LiveStream(context.log(), context.hub(), this, Transport.WS);
    this.membership = membership;
  }

  /**
   * {@code withPresence}: the URL asked for presence ({@code presence=1}) on every topic;
   * {@code binaryFrames}: for binary events, their raw bytes in a binary frame ({@code binary=1});
   * {@code format}: how its events are spelled.
   */
  void open(Iterable<String> topics, Cursor cursor, boolean withPresence, boolean binaryFrames, EventFormat format,
            SubscriptionParams.PerTopic conflation) {
    this.binaryFrames = binaryFrames;
    stream.conflateByDefault(conflation.defaultValue());
    speller = EventSpeller.of(format);
    socket.listen(this);
    for (String topic : topics) {
      subscribe(topic, cursor.get(topic), conflation.get(topic));
      if (withPresence) {
        joinPresence(topic, null);
      }
    }
    watchToken();
  }

  /** A token is good until its exp claim or its revocation, not for the life of the connection. */
  private void watchToken() {
    tokenWatch.cancel();
    tokenWatch = TokenWatch.start(context.vertx(), context.revocations(), access,
      reason -> closeAfterReplies(POLICY_VIOLATION, reason));
  }

  // ---- client → server

  /** The bytes of a binary publish, right after the {@code publish} op that announced them. */
  @Override
  public void onBinary(Buffer bytes) {
    lastHeard = System.nanoTime();
    ClientCommand announce = announced;
    announced = null;
    stopReceiving();
    if (closing()) {
      return;
    }
    if (dropNextBinary) {
      dropNextBinary = false; // its publish op has its error already
      return;
    }
    if (announce == null) {
      sendError(new GatewayException(ErrorCode.INVALID_PARAMETER, "a binary message must follow the publish op "
        + "that announces it: {\"op\":\"publish\",\"topic\":…,\"contentType\":…,\"bytes\":…}"), null);
      return;
    }
    if (bytes.length() != announce.binary().bytes()) {
      sendError(new GatewayException(ErrorCode.INVALID_PARAMETER, "the publish op announced "
        + announce.binary().bytes() + " bytes, the binary message has " + bytes.length()), announce.ref());
      return;
    }
    // admitted when announced (grant, rate, type, size): the bytes are only appended now
    acknowledge(context.publishing().appendBinary(announce.topic(), bytes.getBytes(), announcedType, announce.key()),
      bytes.length(), announce.ref());
  }

  /** The bytes of a refused binary publish, passed over unread. */
  @Override
  public void onBinarySkipped() {
    lastHeard = System.nanoTime();
    dropNextBinary = false;
  }

  @Override
  public void onPing(Buffer payload) {
    if (!closing() && withinCommandRate(null, false)) {
      socket.pong(payload);
      checkReplyBound();
    }
  }

  @Override
  public void onPong() {
    lastHeard = System.nanoTime();
  }

  @Override
  public void onClosed() {
    release();
  }

  @Override
  public void onText(String text) {
    lastHeard = System.nanoTime();
    if (closing()) {
      return; // decided to close: commands that arrive now are neither carried out nor answered
    }
    if (announced != null) {
      sendError(new GatewayException(ErrorCode.INVALID_PARAMETER,
        "the binary message must come right after the publish op that announced it"), announced.ref());
      announced = null;
      stopReceiving();
      socket.expectBinary(0);
    }
    if (dropNextBinary) {
      dropNextBinary = false;
      socket.expectBinary(0); // the refused publish's bytes did not come: no message is skipped now
    }
    ClientCommand command;
    try {
      command = ClientCommand.parse(text, context.config().maxBatchEvents());
    } catch (ClientCommand.Invalid invalid) {
      if (withinCommandRate(invalid.ref, true)) {
        sendError(invalid.error, invalid.ref);
      }
      return;
    }
    if (command.op() != ClientCommand.Op.PUBLISH && !withinCommandRate(command.ref(), true)) {
      return;
    }
    try {
      switch (command.op()) {
        case PING -> sendControl(new JsonObject().put("op", "pong"), command.ref());
        case SUBSCRIBE -> onSubscribe(command);
        case UNSUBSCRIBE -> onUnsubscribe(command);
        case PUBLISH -> onPublish(command);
        case PRESENCE -> onPresence(command);
        case AUTH -> onAuth(command);
      }
    } catch (GatewayException refused) {
      sendError(refused, command.ref()); // the command is refused, the connection serves on
    }
  }

  /**
   * {@code {"op":"auth","token":…}}: a fresh token for this connection, so a token refresh needs
   * no reconnect. It must name the same {@code sub} (presence identity) and still grant every
   * topic the connection follows; then its expiry replaces the old one.
   */
  private void onAuth(ClientCommand command) {
    if (context.authenticator() == null) {
      sendError(new GatewayException(ErrorCode.INVALID_PARAMETER, "auth is off on this gateway"), command.ref());
      return;
    }
    Access before = access;
    context.authenticator().refresh(before, command.dataJson())
      .map(fresh -> {
        if (!java.util.Objects.equals(fresh.subject(), before.subject())) {
          throw new GatewayException(ErrorCode.FORBIDDEN, "a refreshed token must name the same sub");
        }
        stream.topics().stream().filter(topic -> !fresh.maySubscribe(topic)).findFirst().ifPresent(topic -> {
          throw new GatewayException(ErrorCode.FORBIDDEN, "the new token does not allow subscribing to " + topic);
        });
        return fresh;
      })
      .onSuccess(fresh -> {
        if (closing()) {
          return;
        }
        access = fresh;
        watchToken();
        JsonObject reply = new JsonObject().put("op", "authenticated");
        if (fresh.expiresAtMillis() > 0) {
          reply.put("exp", fresh.expiresAtMillis() / 1000);
        }
        sendControl(reply, command.ref());
      })
      .onFailure(e -> {
        if (!closing()) {
          sendError(PublishRule.refusal(e), command.ref());
        }
      });
  }

  private void onSubscribe(ClientCommand command) {
    if (stream.subscribes(command.topic())) {
      throw new GatewayException(ErrorCode.INVALID_PARAMETER, "already subscribed to " + command.topic());
    }
    access.checkSubscribe(command.topic());
    int max = context.config().maxTopicsPerSubscription();
    if (stream.topics().size() >= max) {
      throw new GatewayException(ErrorCode.INVALID_PARAMETER, "at most " + max + " topics per connection");
    }
    if (command.presence() && membership == null) {
      throw new GatewayException(ErrorCode.INVALID_PARAMETER, "presence is off on this gateway");
    }
    subscribe(command.topic(), command.after() == null ? null : new Position(command.after(), null),
      command.conflate() != null ? command.conflate() : stream.defaultWindowMillis());
    if (command.presence()) {
      joinPresence(command.topic(), command.ref());
    }
  }

  /**
   * In the compact format the topic gets the lowest alias free, announced by its subscribed frame;
   * {@code conflateMillis}: the topic's conflation window (0: every event).
   */
  private void subscribe(String topic, Position after, int conflateMillis) {
    if (speller != null) {
      speller.subscribed(topic);
    }
    stream.subscribe(topic, after, conflateMillis);
  }

  /** The snapshot, then the changes; an error frame (the subscription stands) when presence is full. */
  private void joinPresence(String topic, String ref) {
    if (presence == null) {
      presence = new PushPresence(context.presence(), membership, Transport.WS, stream);
    }
    try {
      presence.join(topic, snapshot -> sendControl(snapshot, ref));
    } catch (GatewayException full) {
      sendError(full, ref);
    }
  }

  /** {@code {"op":"presence","topic":…}}: who is there now, for anyone who may subscribe to the topic. */
  private void onPresence(ClientCommand command) {
    if (membership == null) {
      throw new GatewayException(ErrorCode.INVALID_PARAMETER, "presence is off on this gateway");
    }
    access.checkSubscribe(command.topic());
    sendControl(context.presence().snapshot(command.topic()).frame(command.topic()), command.ref());
  }

  private void onUnsubscribe(ClientCommand command) {
    if (stream.subscribes(command.topic())) {
      stream.unsubscribe(command.topic());
      if (speller != null) {
        speller.unsubscribed(command.topic());
      }
    }
    if (presence != null) {
      presence.leave(command.topic());
    }
    if (command.ref() != null) {
      sendControl(new JsonObject().put("op", "ack").put("topic", command.topic()), command.ref());
    }
  }

  /** Through the gateway's one publish rule; what is special here is the ack and the strikes. */
  private void onPublish(ClientCommand command) {
    if (command.batch() != null) {
      onPublishBatch(command);
      return;
    }
    if (command.binary() != null) {
      onBinaryAnnounce(command);
      return;
    }
    int size = command.dataJson().getBytes(StandardCharsets.UTF_8).length;
    acknowledge(context.publishing().publish(access, command.topic(), command.dataJson(), command.key()), size,
      command.ref());
  }

  /**
   * {@code {"op":"publish","topic","contentType","bytes"}}: the next message is that many bytes of
   * that type, to publish. Checked now, so a refusal comes before the client sends the bytes.
   */
  private void onBinaryAnnounce(ClientCommand command) {
    int bytes = command.binary().bytes();
    try {
      announcedType = context.publishing().admitBinary(access, command.topic(), command.binary().contentType(), bytes,
        command.key());
      if (!context.limits().reserveReceiving(bytes)) {
        throw new GatewayException(ErrorCode.OVERLOADED, "too many publishes are being received at once, retry later");
      }
    } catch (GatewayException refused) {
      sendError(refused, command.ref());
      if (refused.code() == ErrorCode.RATE_LIMITED) {
        strike("publish");
      }
      dropNextBinary = true;
      socket.skipBinary(bytes);
      return;
    }
    receiving = bytes;
    announced = command;
    socket.expectBinary(bytes);
  }

  /** The announced binary message came, or will not: what it reserved is free again. */
  private void stopReceiving() {
    if (receiving > 0) {
      context.limits().releaseReceiving(receiving);
      receiving = 0;
    }
  }

  /** Acks an append of {@code size} bytes, or answers its refusal; closes once none is left pending. */
  private void acknowledge(Future<Stored> append, int size, String ref) {
    publishing++;
    appending(size);
    append
      .onComplete(appended -> {
        publishing--;
        appending(-size);
        if (appended.succeeded()) {
          Event event = appended.result().event();
          // the commonest reply, spelled directly: a topic name needs no escaping
          sendReply("{\"op\":\"ack\",\"topic\":\"" + event.topic() + "\",\"id\":" + event.id()
            + (appended.result().duplicate() ? ",\"duplicate\":true" : "") + refAndEnd(ref));
        } else {
          GatewayException refused = PublishRule.refusal(appended.cause());
          sendError(refused, ref);
          if (refused.code() == ErrorCode.RATE_LIMITED) {
            strike("publish");
          }
        }
        if (closeReason != null && publishing == 0) {
          close(closeCode, closeReason);
        }
      });
  }

  /** {@code "events":[…]}: one ack with a result per event, after all of them. */
  private void onPublishBatch(ClientCommand command) {
    int size = command.batch().items().stream()
      .mapToInt(item -> item.dataJson() == null ? 0 : item.dataJson().length()).sum();
    publishing++;
    appending(size);
    context.publishing().publish(access, command.batch())
      .onComplete(published -> {
        publishing--;
        appending(-size);
        if (published.succeeded()) {
          sendControl(new JsonObject().put("op", "ack").put("results", published.result()), command.ref());
        } else {
          sendError(PublishRule.refusal(published.cause()), command.ref());
        }
        if (closeReason != null && publishing == 0) {
          close(closeCode, closeReason);
        }
      });
  }

  private void appending(int bytes) {
    publishingBytes += bytes;
    socket.holdReading(PushWebSocket.PUBLISHING, publishingBytes > context.config().maxQueueBytes());
  }

  /**
   * Takes a token for a command that is not a publish; past {@code commandRatePerConnection}, false,
   * with the refusal sent ({@code answer}) and a strike counted. Each command costs a reply, and
   * some (presence in a cluster) a change on every node, so one connection cannot keep an event
   * loop or the cluster busy for everyone else.
   */
  private boolean withinCommandRate(String ref, boolean answer) {
    int rate = context.config().commandRatePerConnection();
    if (rate <= 0 || pacing().commands.tryTake()) {
      return true;
    }
    if (answer) {
      sendError(new GatewayException(ErrorCode.RATE_LIMITED,
        "at most " + rate + " commands a second besides publishes"), ref);
    }
    strike("command");
    return false;
  }

  /**
   * One more publish or command refused by its rate. Once {@code rateLimitStrikes} fall within one
   * window the client is closed with 1008 (after its pending acks), and nothing more it sends is
   * read: a flood is not decoded while its close is answered.
   */
  private void strike(String limit) {
    Pacing p = pacing();
    long now = System.nanoTime();
    if (now - p.windowStart > STRIKE_WINDOW_NANOS) {
      p.windowStart = now;
      p.strikes = 0;
    }
    if (++p.strikes >= context.config().rateLimitStrikes()) {
      closeAfterReplies(POLICY_VIOLATION, limit + " rate limit exceeded repeatedly");
      socket.holdReading(PushWebSocket.CLOSING, true);
    }
  }

  private Pacing pacing() {
    if (pacing == null) {
      pacing = new Pacing(context.config().commandRatePerConnection());
    }
    return pacing;
  }

  /** A connection's bucket for commands besides publishes (null when unlimited) and its rate-limit strikes. */
  private static final class Pacing {
    final TokenBucket commands;
    int strikes;
    long windowStart = System.nanoTime();

    Pacing(int commandRate) {
      this.commands = commandRate > 0 ? new TokenBucket(commandRate) : null;
    }
  }

  // ---- server → client: the stream's sink

  @Override
  public void subscribed(TopicState state, long from) {
    JsonObject subscribed = new JsonObject().put("op", "subscribed").put("topic", state.topic())
      .put("id", from).put("epoch", state.epoch());
    Integer alias = speller == null ? null : speller.alias(state.topic());
    if (alias != null) {
      subscribed.put("alias", alias);
    }
    sendControl(subscribed, null);
  }

  @Override
  public void reset(Reset reset) {
    context.metrics().reset(Transport.WS);
    if (speller != null) {
      speller.reset(reset.topic());
    }
    sendControl(reset.toJson().put("op", "reset"), null);
  }

  @Override
  public void event(Event event, Position before) {
    if (socket.isClosed()) {
      return;
    }
    // The bound holds what still waits from earlier events: one event larger than it (an image)
    // is written whole, and only a client that has not read it by the next one is too slow.
    if (!stream.isCatchingUp() && !socket.writable()) {
      closeSlowConsumer();
      return;
    }
    // Built once per event; each connection writes the same bytes.
    long payloadLength = binaryFrames && event.contentType() != null ? socket.sendBinaryEvent(event)
      : socket.sendEvent(event, speller == null ? Spelling.FULL : speller.spelling(event, before));
    context.metrics().delivered(Transport.WS, 1, payloadLength);
  }

  /** A join, leave or count: encoded once, the same text for every connection; bounded as replies are. */
  @Override
  public void presence(PresenceChange change) {
    if (!socket.isClosed()) {
      socket.sendText(change.frame());
      checkReplyBound();
    }
  }

  @Override
  public boolean writable() {
    return socket.isClosed() || socket.writable();
  }

  @Override
  public Vertx vertx() {
    return context.vertx();
  }

  @Override
  public Future<Void> drained() {
    return socket.drained();
  }

  @Override
  public void failed(Throwable cause) {
    sendError(new GatewayException(ErrorCode.OVERLOADED, "history is unavailable, reconnect"), null);
    close(TRY_AGAIN_LATER, "history unavailable");
  }

  private void sendControl(JsonObject frame, String ref) {
    if (ref != null) {
      frame.put("ref", ref);
    }
    sendReply(frame.encode());
  }

  /** A frame encoded already (a presence snapshot, shared by its room's readers), with the command's ref. */
  private void sendControl(String frame, String ref) {
    sendReply(ref == null ? frame : frame.substring(0, frame.length() - 1) + refAndEnd(ref));
  }

  /** The end of a reply spelled as text: the command's {@code ref}, if it had one, and the closing brace. */
  private static String refAndEnd(String ref) {
    return ref == null ? "}" : ",\"ref\":" + JsonText.quoted(ref) + "}";
  }

  private void sendReply(String text) {
    if (!socket.isClosed()) {
      socket.sendText(text);
      checkReplyBound();
    }
  }

  /**
   * After a frame that is not an event (a pong, an ack, an error, a control frame): replies count
   * against the same {@code maxQueueBytes} as events, so a client that asks for more than it
   * reads is closed, whatever it asks for. While history is being caught up the queue is full by
   * design, so the client's commands wait instead: nothing more is read until the queue drains.
   */
  private void checkReplyBound() {
    if (socket.writable()) {
      return;
    }
    if (stream.isCatchingUp()) {
      socket.holdReadingUntil(PushWebSocket.DRAINING, socket.drained());
    } else {
      closeSlowConsumer();
    }
  }

  /** Bounded output: a client that stops reading is told to come back with its cursor. */
  private void closeSlowConsumer() {
    context.metrics().slowConsumerClosed(Transport.WS);
    close(TRY_AGAIN_LATER, "slow consumer: reconnect with your cursor");
    // It does not read, so its answer to the close frame is not coming soon: nothing it sends
    // matters now, and leaving it unread holds it back instead of decoding it until the timeout.
    socket.holdReading(PushWebSocket.CLOSING, true);
  }

  private void sendError(GatewayException error, String ref) {
    context.metrics().rejected(error.code());
    sendControl(error.toJson().put("op", "error"), ref);
  }

  // ---- lifecycle

  /** Called by the transport's sweep: pings, or closes a peer silent for two intervals. */
  void heartbeat(long nowNanos, long intervalNanos) {
    if (nowNanos - lastHeard > 2 * intervalNanos) {
      close(NORMAL, "no pong within two ping intervals");
    } else if (!socket.isClosed()) {
      socket.ping();
    }
  }

  /** True once a close is decided, even while it waits for acks: no command is taken any more. */
  private boolean closing() {
    return closeReason != null || socket.isClosed();
  }

  /**
   * Closes once every publish already appended has its ack (or error) on the wire, so a client
   * never retries, and duplicates, an event that was stored; nothing new is taken meanwhile.
   */
  void closeAfterReplies(short code, String reason) {
    if (publishing == 0) {
      close(code, reason);
    } else if (closeReason == null) {
      closeCode = code;
      closeReason = reason;
    }
  }

  void close(short code, String reason) {
    if (!socket.isClosed()) {
      socket.close(code, reason);
    }
    release();
  }

  /**
   * Completes once the connection is gone: released, its last acks and its close frame written,
   * and the channel closed (by the client's answer to the close frame, or its timeout). Waiting
   * for the channel keeps a server that closes next from cutting off what is still queued.
   */
  Future<Void> closed() {
    if (released) {
      return socket.closed();
    }
    if (releasedPromise == null) {
      releasedPromise = Promise.promise();
    }
    return releasedPromise.future().compose(v -> socket.closed());
  }

  /** Releases everything the connection holds; the one exit of every path. */
  private void release() {
    if (released) {
      return;
    }
    released = true;
    if (releasedPromise != null) {
      releasedPromise.complete();
    }
    tokenWatch.cancel();
    stream.close();
    stopReceiving();
    if (presence != null) {
      presence.leaveAll();
    }
    socket.release();
    held.release();
    transport.forget(this);
  }
}
