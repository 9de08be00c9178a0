package io.pushgateway.gateway.testing;

import io.pushgateway.gateway.core.Transport;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A real subscriber over one transport, written from the wire protocol: it records every event
 * and reset in arrival order and the cursor the gateway last handed out. Tests wait on what it
 * received with bounded timeouts.
 */
public abstract class StreamClient {

  /** Generous: a busy CI machine may take seconds to run a freshly started JVM's first requests. */
  protected static final long OPEN_TIMEOUT_SECONDS = 30;

  protected final Vertx vertx;
  protected final int port;
  /** Every call of this client runs on one event loop, the one its connection lives on. */
  protected final Context context;
  private final List<JsonObject> events = new ArrayList<>();
  private final List<JsonObject> resets = new ArrayList<>();
  /** Presence frames ({@code presence} snapshots, {@code join}, {@code leave}, {@code occupancy}) in arrival order. */
  private final List<JsonObject> presence = new ArrayList<>();
  /** Added to every URL it opens: {@code &presence=1&name=…}. */
  protected String extraQuery = "";
  private volatile String cursor;
  private volatile String wireCursor;
  /** Null unless it asked for the compact format ({@link #compact}). */
  protected CompactReader compact;
  /** Null unless it asked for deltas ({@link #deltas}). */
  private PatchReader patches;
  /** The last event it could not read (a patch with no base); null if none. */
  private String unreadable;

  protected StreamClient(Vertx vertx, int port) {
    this.vertx = vertx;
    this.port = port;
    this.context = vertx.getOrCreateContext();
  }

  /**
   * Runs {@code action} on the client's event loop. Called from a test thread, a Vert.x client
   * would otherwise deliver a response on another event loop than its connection's, and a body
   * could arrive before its handler is set.
   */
  protected <T> Future<T> onContext(Supplier<Future<T>> action) {
    return onContext(context, action);
  }

  public static <T> Future<T> onContext(Context context, Supplier<Future<T>> action) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(promise));
    return promise.future();
  }

  public static StreamClient create(Transport transport, Vertx vertx, int port) {
    return switch (transport) {
      case WS -> new WsClient(vertx, port);
      case SSE -> new SseClient(vertx, port);
      case LONG -> new PollClient(vertx, port, true);
      case SHORT -> new PollClient(vertx, port, false);
    };
  }

  /** Subscribes and returns once the gateway has acknowledged the subscription. */
  public abstract StreamClient open(String topics, String cursor) throws Exception;

  public abstract void close() throws Exception;

  public StreamClient open(String topics) throws Exception {
    return open(topics, null);
  }

  protected synchronized void onEvent(JsonObject event) {
    if (patches != null) {
      try {
        patches.apply(event);
      } catch (IllegalStateException e) {
        unreadable = e.getMessage();
        notifyAll();
        return;
      }
    }
    events.add(event);
    notifyAll();
  }

  /**
   * Asks for deltas ({@code delta=merge}); call before {@code open}. An event that comes as a
   * patch is applied to the topic's previous data, as a client does, and recorded with that data
   * and {@code "viaPatch":true}.
   */
  public StreamClient deltas() {
    patches = new PatchReader();
    return query("delta=merge");
  }

  protected synchronized void onReset(JsonObject reset) {
    resets.add(reset);
    notifyAll();
  }

  /** Adds {@code query} ({@code presence=1&name=ann}) to the URLs it opens; call before {@code open}. */
  public StreamClient query(String query) {
    extraQuery += "&" + query;
    return this;
  }

  /**
   * Asks for the compact format ({@code format=compact}, with {@code ts=1} if {@code timestamps});
   * call before {@code open}. Events are read back into full JSON objects and {@link #cursor()} is
   * given in the full spelling; {@link #wireCursor()} is the cursor as the gateway handed it out.
   */
  public StreamClient compact(boolean timestamps) {
    compact = new CompactReader(timestamps);
    return query("format=compact" + (timestamps ? "&ts=1" : ""));
  }

  /** Called by {@code open}: the subscription's topics (a compact format's aliases) and its cursor. */
  protected void subscription(String topics, String cursor) {
    if (compact != null) {
      compact.subscription(List.of(topics.split(",")), cursor);
    }
  }

  protected synchronized void onPresence(JsonObject frame) {
    presence.add(frame);
    notifyAll();
  }

  public synchronized List<JsonObject> presence() {
    return List.copyOf(presence);
  }

  /** Waits (bounded) for a presence frame that matches, and returns it. */
  public JsonObject awaitPresence(java.util.function.Predicate<JsonObject> matching, String what) throws Exception {
    awaitCondition(() -> presence.stream().anyMatch(matching), Duration.ofSeconds(20),
      () -> "expected a presence frame: " + what + ", got " + presence);
    synchronized (this) {
      return presence.stream().filter(matching).findFirst().orElseThrow();
    }
  }

  protected void onCursor(String cursor) {
    this.wireCursor = cursor;
    this.cursor = compact == null ? cursor : compact.named(cursor);
  }

  /** The cursor the gateway last handed out, in the full spelling. */
  public String cursor() {
    return cursor;
  }

  /** The cursor as the gateway last handed it out, in the spelling of the client's format. */
  public String wireCursor() {
    return wireCursor;
  }

  public synchronized List<JsonObject> events() {
    return List.copyOf(events);
  }

  public synchronized List<JsonObject> resets() {
    return List.copyOf(resets);
  }

  /** The ids received for {@code topic}, in arrival order. */
  public synchronized List<Long> ids(String topic) {
    return events.stream().filter(e -> topic.equals(e.getString("topic"))).map(e -> e.getLong("id")).toList();
  }

  public List<JsonObject> awaitEvents(int count) throws Exception {
    return awaitEvents(count, Duration.ofSeconds(20));
  }

  public List<JsonObject> awaitEvents(int count, Duration timeout) throws Exception {
    awaitCondition(() -> events.size() >= count, timeout, () -> "expected " + count + " events, got " + events.size());
    return events();
  }

  public void awaitResets(int count) throws Exception {
    awaitCondition(() -> resets.size() >= count, Duration.ofSeconds(20),
      () -> "expected " + count + " resets, got " + resets.size());
  }

  private synchronized void awaitCondition(BooleanSupplier condition, Duration timeout,
                                           java.util.function.Supplier<String> message) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (unreadable != null) {
        throw new IllegalStateException(getClass().getSimpleName() + ": " + unreadable);
      }
      if (left <= 0) {
        throw new TimeoutException(getClass().getSimpleName() + ": " + message.get());
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }
}
