package io.pushgateway.client;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * The gateway's client for the JVM and Android, behaving as {@code push-client.js} does: one
 * cursor across WebSocket, SSE, long and short polling; every event once and in id order per
 * topic, or an explicit {@link Reset}; reconnects with backoff and jitter, falling back
 * ws → sse → long → short in {@link Transport#AUTO}; publishes with acks; refreshes its token
 * before it expires.
 *
 * <p>Threading: all of the client's state lives on one thread of its own, and every
 * {@link Listener} call is made there, one at a time, in order. Every public method may be called
 * from any thread.
 */
public final class PushClient implements AutoCloseable {

  private static final List<Transport> FALLBACK = List.of(Transport.WS, Transport.SSE, Transport.LONG, Transport.SHORT);
  /** A connection open this long counts as healthy and resets the backoff. */
  private static final long STABLE_MILLIS = 3000;

  final String baseUrl;
  final List<String> topics;
  /** Whether it asked for the compact format ({@link Builder#compact()}). */
  final boolean compact;
  /** Whether a compact stream sends each event's ts ({@link Builder#timestamps()}). */
  final boolean timestamps;
  final OkHttpClient http;
  /**
   * {@link #http} for publishes: OkHttp sends a request again by itself when a pooled connection
   * fails under it, and for a publish whose answer was lost that stores the event twice. Keyed
   * publishes are sent again by the client instead, with their key.
   */
  final OkHttpClient publishHttp;
  final Builder options;
  /** What the keys this client makes for publishes without one begin with: 96 random bits, its own. */
  private final String keyPrefix = randomId() + ".";
  private final AtomicLong keysMade = new AtomicLong();
  private final Transport mode;
  private final Listener listener;
  private final ScheduledExecutorService loop;
  private volatile Thread loopThread;
  /** topic → {id, epoch}: everything up to id has been delivered. */
  private final Map<String, Position> positions = new LinkedHashMap<>();
  /** Who is in each topic, with {@link Builder#presence()}. */
  final Presence presence = new Presence(this);
  /** A poller's id for itself in presence: its polls are one member's one connection. */
  final String pollerId = randomId();
  private final Set<Transport> unavailable;
  private volatile String token;
  private Connection connection;
  private ScheduledFuture<?> retry;
  private ScheduledFuture<?> refreshTimer;
  private CompletableFuture<Void> refreshing;
  private int level;
  private int attempt;
  private boolean everOpened;
  private boolean closed;
  /** Publishes not answered yet, retries included: failed when the client closes. On the loop. */
  private final Set<CompletableFuture<?>> publishing = new HashSet<>();
  private Transport current;
  private long events;
  private long duplicates;
  private long gaps;
  private long resets;
  private long reconnects;
  private long refreshes;
  private long patches;
  /** With {@link Builder#deltas()}: each topic's last event, what its next patch applies to. */
  private final Map<String, Base> patchBases = new HashMap<>();

  private PushClient(Builder builder) {
    this.options = builder;
    this.baseUrl = builder.baseUrl.replaceAll("/+$", "");
    // unique, in order: a compact event's alias is a topic's place here
    this.topics = List.copyOf(new java.util.LinkedHashSet<>(builder.topics));
    this.compact = builder.compact;
    this.timestamps = builder.timestamps;
    this.mode = builder.transport;
    this.listener = builder.listener;
    this.token = builder.token;
    this.unavailable = builder.unavailable.isEmpty() ? EnumSet.noneOf(Transport.class) : EnumSet.copyOf(builder.unavailable);
    this.http = builder.http != null ? builder.http : new OkHttpClient.Builder()
      .pingInterval(Duration.ofSeconds(20)) // a half-open WebSocket (a phone changed network) fails instead of hanging
      .readTimeout(Duration.ofSeconds(0))
      .socketFactory(new NoDelaySockets())
      .build();
    this.publishHttp = http.newBuilder().retryOnConnectionFailure(false).build();
    // Once closed, whatever is still handed to it (a poll's answer, a retry) is dropped silently.
    this.loop = new ScheduledThreadPoolExecutor(1, r -> {
      Thread thread = new Thread(r, "push-client");
      thread.setDaemon(true);
      loopThread = thread;
      return thread;
    }, new ThreadPoolExecutor.DiscardPolicy());
    Cursors.parse(builder.cursor).forEach(positions::put);
  }

  public static Builder builder(String baseUrl) {
    return new Builder(baseUrl);
  }

  /** Starts connecting; the listener hears of it. */
  public void connect() {
    run(() -> {
      scheduleRefresh();
      connectNow();
    });
  }

  /**
   * Where the application stands, {@code topic:id:epoch,…}: keep it (an app restart) and pass it to
   * {@link Builder#cursor} to resume.
   */
  public String cursor() {
    return call(() -> Cursors.format(positions));
  }

  /**
   * Who is in {@code topic} now, in the order they joined, as far as the client was told (with
   * {@link Builder#presence()}; empty before the first snapshot). Anonymous readers are counted in
   * {@link #occupancy}, not listed.
   */
  public List<Member> members(String topic) {
    return call(() -> presence.members(topic));
  }

  /** The presence counts of {@code topic}, or null before the first snapshot. */
  public Occupancy occupancy(String topic) {
    return call(() -> presence.occupancy(topic));
  }

  public Stats stats() {
    return call(() -> new Stats(events, duplicates, gaps, resets, reconnects, refreshes, patches, current));
  }

  /**
   * Publishes bytes as a binary event of {@code contentType} (such as {@code image/png}): an
   * announced binary message while on WebSocket, else a {@code POST} with that type.
   */
  public CompletableFuture<Published> publish(String topic, byte[] bytes, String contentType) {
    return publish(topic, bytes, contentType, null);
  }

  /** The same with an idempotency key, retried as {@link #publish(String, String, String)} says. */
  public CompletableFuture<Published> publish(String topic, byte[] bytes, String contentType, String key) {
    byte[] copy = bytes.clone();
    String sent = keyOrMade(key);
    return publishing(sent != null, connection -> connection != null ? connection.publish(topic, copy, contentType, sent)
      : Http.publish(this, topic, copy, contentType, sent));
  }

  /** Publishes: a WebSocket frame with an ack while on WebSocket, else {@code POST /api/topics/{t}/events}. */
  public CompletableFuture<Published> publish(String topic, String dataJson) {
    return publish(topic, dataJson, null);
  }

  /**
   * Publishes with an idempotency {@code key} (null: none), such as a UUID made once per event:
   * the gateway stores an event once per key and topic, and answers a publish whose key it stored
   * before with that event ({@link Published#duplicate()}). So a keyed publish that got no answer
   * (it timed out, its connection dropped) or was refused as {@code overloaded} or
   * {@code rate_limited} is sent again with its key, over whatever connection is open then, up
   * to {@link Builder#publishRetries} times, the waits growing from the reconnect backoff: a
   * publish is never lost to a bad network and never stored twice. Without a key the client
   * makes one ({@link Builder#idempotentPublishing}, on unless turned off); with that off,
   * nothing is retried, as a retry could store the event twice.
   */
  public CompletableFuture<Published> publish(String topic, String dataJson, String key) {
    String sent = keyOrMade(key);
    return publishing(sent != null, connection -> connection != null ? connection.publish(topic, dataJson, sent)
      : Http.publish(this, topic, dataJson, sent));
  }

  /**
   * Publishes several events, of one topic or many, in one request ({@code POST /api/events}) or,
   * while on WebSocket, one frame: one future per event, in order. An event the gateway refuses
   * (a bad topic, data over its limit, a topic the token may not publish to) fails alone and the
   * others are published all the same; each topic's events get their ids in the batch's order.
   * Every event carries a key (its own, or one the client makes unless {@link
   * Builder#idempotentPublishing} is off), so a batch whose answer did not come is sent again whole,
   * as a single publish is, and each event is stored once.
   */
  public List<CompletableFuture<Published>> publishAll(List<Outgoing> events) {
    if (events.isEmpty()) {
      return List.of(); // the gateway refuses an empty batch; there is nothing to answer
    }
    JsonArray batch = new JsonArray();
    boolean keyed = true;
    for (Outgoing outgoing : events) {
      JsonObject event = new JsonObject();
      event.addProperty("topic", outgoing.topic());
      event.add("data", JsonParser.parseString(outgoing.dataJson()));
      String key = keyOrMade(outgoing.key());
      if (key != null) {
        event.addProperty("key", key);
      }
      keyed &= key != null;
      batch.add(event);
    }
    CompletableFuture<JsonArray> answered = publishing(keyed,
      connection -> connection != null ? connection.publishAll(batch) : Http.publishAll(this, batch));
    List<CompletableFuture<Published>> results = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      int index = i;
      results.add(answered.thenApply(all -> Published.ofResult(all.get(index).getAsJsonObject())));
    }
    return results;
  }

  /** {@code key}, or, for a publish without one, a key of this client's own if it makes them. */
  private String keyOrMade(String key) {
    if (key != null || !options.idempotentPublishing) {
      return key;
    }
    return keyPrefix + Long.toString(keysMade.incrementAndGet(), 36);
  }

  /** 96 random bits in 16 characters of {@code A-Z a-z 0-9 - _}: a key prefix, a poller's presence id. */
  private static String randomId() {
    byte[] bits = new byte[12];
    new SecureRandom().nextBytes(bits);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
  }

  /**
   * One publish or batch, tried over the open connection (null when none is open: then over
   * HTTP), and again while it is worth it and it is {@code keyed} (every event has a key).
   */
  private <T> CompletableFuture<T> publishing(boolean keyed, Function<Connection, CompletableFuture<T>> send) {
    CompletableFuture<T> result = new CompletableFuture<>();
    if (loop.isShutdown()) {
      result.completeExceptionally(closedClient());
      return result;
    }
    run(() -> {
      publishing.add(result);
      result.whenComplete((published, failure) -> run(() -> publishing.remove(result)));
      attempt(keyed, send, 0, result);
    });
    return result;
  }

  private static PushException closedClient() {
    return new PushException(null, "the client is closed", 0);
  }

  private <T> void attempt(boolean keyed, Function<Connection, CompletableFuture<T>> send, int retried,
                           CompletableFuture<T> result) {
    if (closed) {
      result.completeExceptionally(closedClient());
      return;
    }
    CompletableFuture<T> sent = connection != null && connection.opened ? send.apply(connection) : null;
    (sent != null ? sent : send.apply(null)).whenComplete((published, failure) -> {
      if (failure == null) {
        result.complete(published);
      } else if (keyed && retried < options.publishRetries && worthRetrying(failure)) {
        later(() -> attempt(keyed, send, retried + 1, result), backoffCap(retried));
      } else {
        result.completeExceptionally(failure);
      }
    });
  }

  /** No answer came (the gateway may have stored it), or the gateway asked for a later try. */
  private static boolean worthRetrying(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (!(cause instanceof PushException)) {
      return false;
    }
    String code = ((PushException) cause).code();
    return code == null || code.equals("overloaded") || code.equals("rate_limited");
  }

  /**
   * Leaves the connection in use and connects again at once from the cursor: call it when the
   * network changes or the app comes back to the foreground.
   */
  public void reconnectNow() {
    run(() -> {
      if (closed) {
        return;
      }
      Connection old = connection;
      if (old != null) {
        connection = null;
        old.stop();
        if (old.opened) {
          listener.onDisconnect(old.transport(), "reconnecting now");
        }
      }
      attempt = 0;
      connectNow();
    });
  }

  /**
   * What this client put on the wire so far, as the gateway counted it for its {@code meter}; null
   * without one, or when the gateway keeps no meter of that name (it forgets one unused for 5
   * minutes).
   */
  public CompletableFuture<WireMeter> readMeter() {
    if (options.meter == null) {
      return CompletableFuture.completedFuture(null);
    }
    HttpUrl url = HttpUrl.get(baseUrl + "/api/meters/" + options.meter);
    return Http.json(this, http.newCall(Http.request(this, url).build()))
      .handle((json, failure) -> {
        if (failure != null) {
          Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
          if (cause instanceof PushException && ((PushException) cause).status() == 404) {
            return null;
          }
          throw failure instanceof CompletionException ? (CompletionException) failure : new CompletionException(failure);
        }
        return new WireMeter(json.get("bytesUp").getAsLong(), json.get("bytesDown").getAsLong(),
          json.get("requests").getAsLong(), json.get("open").getAsInt());
      });
  }

  /** Asks the token supplier for a new token now and hands it to the connection. */
  public CompletableFuture<Void> refreshToken() {
    return this.<CompletableFuture<Void>>call(this::refreshOnLoop);
  }

  @Override
  public void close() {
    run(() -> {
      if (closed) {
        return;
      }
      stopRetrying();
      if (connection != null) {
        connection.stop();
        connection = null;
      }
      current = null;
      listener.onClose();
    });
    loop.shutdown();
    if (options.http == null) {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  // ---- what the connections report (all on the loop)

  String token() {
    return token;
  }

  /** Runs {@code task} on the client's thread. */
  void run(Runnable task) {
    loop.execute(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        System.getLogger(PushClient.class.getName()).log(System.Logger.Level.WARNING, "push-client task failed", e);
      }
    });
  }

  private <T> T call(Supplier<T> task) {
    if (Thread.currentThread() == loopThread) {
      return task.get();
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    run(() -> result.complete(task.get()));
    try {
      return result.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("push-client did not answer", e);
    }
  }

  String cursorNow() {
    return Cursors.format(positions);
  }

  Position position(String topic) {
    return positions.get(topic);
  }

  void opened(Connection conn) {
    if (conn != connection) {
      return;
    }
    conn.opened = true;
    conn.openedAt = System.currentTimeMillis();
    boolean reconnected = everOpened;
    if (reconnected) {
      reconnects++;
    }
    everOpened = true;
    current = conn.transport();
    safely(() -> listener.onOpen(conn.transport(), reconnected));
    // A token refreshed while this connection was opening went to nobody: it gets it now.
    if (conn.token != null && !conn.token.equals(token)) {
      CompletableFuture<Void> handed = conn.refresh(token);
      if (handed != null) {
        handed.whenComplete((v, e) -> {
          if (e != null) {
            run(() -> error("token refresh failed: " + e.getMessage()));
          }
        });
      }
    }
  }

  /** The subscribed frame (or a poll's cursor) says where "now" is, and the epoch of an id given without. */
  void learn(String topic, long id, String epoch) {
    Position known = positions.get(topic);
    if (known == null) {
      positions.put(topic, new Position(id, epoch));
    } else if (known.epoch == null && epoch != null) {
      positions.put(topic, new Position(known.id, epoch));
    }
  }

  void acceptCursor(String cursor) {
    Cursors.parse(cursor, topics).forEach((topic, p) -> {
      Position mine = positions.get(topic);
      if (mine == null || !Objects.equals(mine.epoch, p.epoch) || p.id > mine.id) {
        positions.put(topic, p);
      }
    });
  }

  void reset(String topic, long from, String epoch) {
    positions.put(topic, new Position(Math.max(0, from - 1), epoch));
    resets++;
    Reset reset = new Reset(topic, from, epoch);
    safely(() -> listener.onReset(reset));
  }

  /** False for a duplicate (never shown) or a gap (the connection is dropped and resumed). */
  boolean deliver(Connection conn, JsonObject event) {
    return deliver(conn, event, null);
  }

  /**
   * Whether the data of every event the cursor names is at hand, for a patch to apply to (a reset
   * or a resume from a saved cursor leaves none).
   */
  boolean holdsPatchBases() {
    for (Map.Entry<String, Position> p : positions.entrySet()) {
      Base base = patchBases.get(p.getKey());
      if (p.getValue().id > 0 && (base == null || base.id != p.getValue().id)) {
        return false;
      }
    }
    return true;
  }

  /**
   * A compact event, {@code [alias,data,id?,ts?]}: the topic is what {@code topicOf} calls the
   * alias, an id left out is the one {@code given} (an SSE id line's) or the topic's previous +
   * 1. One the client cannot place breaks the protocol: the connection is dropped and resumed.
   */
  boolean deliverCompact(Connection conn, JsonArray compact, IntFunction<String> topicOf,
                         Map<String, Position> given) {
    // a negative alias is its complement, before a patch instead of data (deltas)
    int alias = compact.size() > 1 && compact.get(0).isJsonPrimitive() ? compact.get(0).getAsInt() : Integer.MIN_VALUE;
    String topic = alias == Integer.MIN_VALUE ? null : topicOf.apply(alias < 0 ? ~alias : alias);
    Position p = topic == null ? null : positions.get(topic);
    Long id = compact.size() > 2 ? Long.valueOf(compact.get(2).getAsLong())
      : given.containsKey(topic) ? Long.valueOf(given.get(topic).id) : p != null ? Long.valueOf(p.id + 1) : null;
    if (topic == null || id == null) {
      drop(conn, new Drop("a compact event the client cannot place: " + compact).soon());
      return false;
    }
    JsonObject event = new JsonObject();
    event.addProperty("topic", topic);
    event.addProperty("id", id);
    event.add(alias < 0 ? "patch" : "data", compact.get(1));
    if (compact.size() > 3) {
      event.add("ts", compact.get(3));
    }
    return deliver(conn, event);
  }

  /**
   * {@code bytes}: a binary event's bytes when they came apart from its envelope (a WebSocket's
   * binary frame); else a binary event carries them in base64.
   */
  boolean deliver(Connection conn, JsonObject event, byte[] bytes) {
    String topic = event.get("topic").getAsString();
    long id = event.get("id").getAsLong();
    Position p = positions.get(topic);
    if (p != null && id <= p.id) {
      duplicates++;
      return false;
    }
    if (p != null && p.id > 0 && id > p.id + 1 && !options.conflates(topic)) {
      // ids have no gaps: one here was lost in transit (conflation skips by request); never hand the app a hole
      gaps++;
      drop(conn, new Drop("missing " + topic + " " + (p.id + 1) + ".." + (id - 1) + ", resuming from the cursor")
        .soon());
      return false;
    }
    JsonElement data = event.get("data");
    if (event.has("patch")) {
      // the gateway patches only from the event just before, which it sent us
      Base base = patchBases.get(topic);
      if (base == null || base.id != id - 1) {
        drop(conn, new Drop("a patch of " + topic + " " + id + " without its base, resuming").soon());
        return false;
      }
      data = MergePatch.apply(base.data, event.get("patch"));
      patches++;
    }
    positions.put(topic, new Position(id, p == null ? null : p.epoch));
    events++;
    String contentType = event.has("contentType") ? event.get("contentType").getAsString() : null;
    if (options.deltas) {
      if (contentType == null) {
        patchBases.put(topic, new Base(id, data));
      } else {
        patchBases.remove(topic);
      }
    }
    // the compact format sends ts on request only
    long ts = event.has("ts") ? event.get("ts").getAsLong() : 0;
    Event delivered;
    if (contentType == null) {
      delivered = new Event(topic, id, ts, data.toString());
    } else {
      byte[] decoded = bytes != null ? bytes : Base64.getDecoder().decode(data.getAsString());
      delivered = new Event(topic, id, ts, null, decoded, contentType);
    }
    safely(() -> listener.onEvent(delivered));
    return true;
  }

  void error(String message) {
    safely(() -> listener.onError(message));
  }

  /** The one place every way a connection ends goes through: retry, fall back or wait. */
  void drop(Connection conn, Drop info) {
    if (conn == null || conn != connection) {
      return;
    }
    connection = null;
    conn.stop();
    current = null;
    if (closed) {
      return;
    }
    boolean wasOpen = conn.opened;
    if (wasOpen) {
      safely(() -> listener.onDisconnect(conn.transport(), info.reason));
    } else {
      error(conn.transport().label() + ": " + info.reason);
    }
    if (tokenRefused(info)) {
      reauthenticate(info);
      return;
    }
    if (wasOpen && System.currentTimeMillis() - conn.openedAt > STABLE_MILLIS) {
      attempt = 0;
    }
    if (wasOpen) {
      // a working transport broke: the gateway may be restarting, with other transports
      level = 0;
      schedule(info.soon);
    } else if (mode != Transport.AUTO) {
      schedule(false);
    } else if (info.unavailable) {
      fallBack();
    } else {
      // never opened, no clear answer (a WebSocket hides the HTTP status): if the gateway
      // answers, the transport is what failed
      Http.reachable(this).thenAccept(up -> run(() -> {
        if (connection != null || retry != null || closed) {
          return;
        }
        if (up) {
          fallBack();
        } else {
          schedule(false);
        }
      }));
    }
  }

  private void fallBack() {
    level++;
    if (level < candidates().size()) {
      connectNow();
    } else {
      level = 0;
      schedule(false);
    }
  }

  private List<Transport> candidates() {
    List<Transport> list = new ArrayList<>();
    for (Transport t : mode == Transport.AUTO ? FALLBACK : List.of(mode)) {
      if (!unavailable.contains(t)) {
        list.add(t);
      }
    }
    return list;
  }

  private void connectNow() {
    retry = null;
    if (connection != null || closed) {
      return;
    }
    List<Transport> candidates = candidates();
    if (candidates.isEmpty()) {
      error("no transport available");
      return;
    }
    if (level >= candidates.size()) {
      level = 0;
    }
    Transport transport = candidates.get(level);
    Connection conn = Connection.create(this, transport);
    connection = conn;
    conn.openTimer = loop.schedule(() -> {
      if (!conn.opened) {
        drop(conn, new Drop(transport.label() + " did not open within " + options.connectTimeout.toMillis() + " ms"));
      }
    }, options.connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
    conn.start();
  }

  /** The exponential backoff's wait after {@code failures}, before any jitter. */
  private long backoffCap(int failures) {
    return Math.min(options.backoffMax.toMillis(), options.backoffInitial.toMillis() << Math.min(failures, 20));
  }

  /** Exponential backoff with equal jitter; "soon" (1001, 1013, a gap) comes back at once, spread a little. */
  private void schedule(boolean soon) {
    cancel(retry);
    long initial = options.backoffInitial.toMillis();
    long cap = backoffCap(attempt);
    long delay = soon && attempt == 0 ? (long) (ThreadLocalRandom.current().nextDouble() * initial)
      : cap / 2 + (long) (ThreadLocalRandom.current().nextDouble() * cap / 2);
    attempt++;
    retry = loop.schedule(this::connectNow, delay, TimeUnit.MILLISECONDS);
  }

  // ---- tokens

  private void scheduleRefresh() {
    cancel(refreshTimer);
    long exp = Tokens.exp(token);
    if (exp == 0 || options.tokenSupplier == null || closed) {
      return;
    }
    long left = exp * 1000 - System.currentTimeMillis();
    long delay = Math.max(0, left - Math.min(30_000, left / 4));
    refreshTimer = loop.schedule(() -> {
      refreshOnLoop();
    }, delay, TimeUnit.MILLISECONDS);
  }

  private CompletableFuture<Void> refreshOnLoop() {
    if (options.tokenSupplier == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("no token supplier"));
    }
    if (refreshing != null) {
      return refreshing;
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    refreshing = done;
    CompletionStage<String> fresh;
    try {
      fresh = options.tokenSupplier.get();
    } catch (RuntimeException e) {
      fresh = CompletableFuture.failedFuture(e);
    }
    fresh.whenComplete((newToken, failure) -> run(() -> {
      if (failure != null || newToken == null || newToken.isBlank()) {
        refreshing = null;
        error("token refresh failed: " + (failure != null ? failure.getMessage() : "no token"));
        cancel(refreshTimer);
        refreshTimer = loop.schedule(this::refreshOnLoop, options.backoffInitial.toMillis() * 4, TimeUnit.MILLISECONDS);
        done.completeExceptionally(failure != null ? failure : new IllegalStateException("no token"));
        return;
      }
      token = newToken.trim();
      refreshes++;
      scheduleRefresh();
      CompletableFuture<Void> handed = connection != null && connection.opened ? connection.refresh(token) : null;
      (handed != null ? handed : CompletableFuture.<Void>completedFuture(null)).whenComplete((v, e) -> run(() -> {
        refreshing = null;
        if (e != null) {
          done.completeExceptionally(e);
        } else {
          done.complete(null);
        }
      }));
    }));
    return done;
  }

  private boolean tokenRefused(Drop info) {
    if (info.status == 401) {
      return true;
    }
    if (token == null) {
      return false;
    }
    if (info.code == 1008 && info.reason != null && info.reason.toLowerCase().contains("token")) {
      return true;
    }
    long exp = Tokens.exp(token);
    return exp != 0 && exp * 1000 <= System.currentTimeMillis();
  }

  /** Closed for good: no reconnect, no token refresh, and every publish still waiting is failed. */
  private void stopRetrying() {
    closed = true;
    cancel(retry);
    cancel(refreshTimer);
    // a publish waiting for its retry would otherwise never be answered
    new ArrayList<>(publishing).forEach(waiting -> waiting.completeExceptionally(closedClient()));
  }

  /** With a supplier: a new token, then at once back from the cursor. Without: one onUnauthorized and the end. */
  private void reauthenticate(Drop info) {
    if (options.tokenSupplier == null) {
      safely(() -> listener.onUnauthorized(info.reason));
      stopRetrying();
      safely(listener::onClose);
      loop.shutdown();
      return;
    }
    refreshOnLoop().whenComplete((v, e) -> run(() -> {
      if (e == null) {
        connectNow();
      } else {
        schedule(false);
      }
    }));
  }

  // ---- helpers

  ScheduledFuture<?> later(Runnable task, long millis) {
    return loop.schedule(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        System.getLogger(PushClient.class.getName()).log(System.Logger.Level.WARNING, "push-client task failed", e);
      }
    }, millis, TimeUnit.MILLISECONDS);
  }

  private static void cancel(ScheduledFuture<?> future) {
    if (future != null) {
      future.cancel(false);
    }
  }

  /** Tells the listener, on the client's thread, as every other call is. */
  void notify(java.util.function.Consumer<Listener> call) {
    safely(() -> call.accept(listener));
  }

  private void safely(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      System.getLogger(PushClient.class.getName()).log(System.Logger.Level.WARNING, "a push-client listener failed", e);
    }
  }

  /** Where one topic stands. */
  static final class Position {
    final long id;
    final String epoch;

    Position(long id, String epoch) {
      this.id = id;
      this.epoch = epoch;
    }
  }

  /** Why a connection ended. */
  static final class Drop {
    final String reason;
    int code;
    int status;
    boolean soon;
    boolean unavailable;

    Drop(String reason) {
      this.reason = reason;
    }

    Drop soon() {
      this.soon = true;
      return this;
    }
  }

  /** The JWT {@code exp} claim, read only to refresh before it (the gateway checks the signature). */
  static final class Tokens {
    private Tokens() {
    }

    static long exp(String token) {
      if (token == null) {
        return 0;
      }
      try {
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        JsonObject claims = JsonParser.parseString(payload).getAsJsonObject();
        return claims.has("exp") ? claims.get("exp").getAsLong() : 0;
      } catch (RuntimeException e) {
        return 0;
      }
    }
  }

  /** {@code topic:id:epoch,…}, or the compact spelling ({@code id.epoch} per topic, in order). */
  static final class Cursors {
    private Cursors() {
    }

    static Map<String, Position> parse(String cursor) {
      return parse(cursor, List.of());
    }

    /** Either spelling; the compact one (it has no colon) stands for {@code topics} in order. */
    static Map<String, Position> parse(String cursor, List<String> topics) {
      Map<String, Position> out = new LinkedHashMap<>();
      if (cursor == null || cursor.isBlank()) {
        return out;
      }
      if (cursor.indexOf(':') < 0) {
        String epoch = null;
        String[] entries = cursor.split(",", -1);
        for (int i = 0; i < entries.length && i < topics.size(); i++) {
          int dot = entries[i].indexOf('.');
          if (dot >= 0) {
            epoch = entries[i].substring(dot + 1);
          }
          try {
            out.put(topics.get(i), new Position(Long.parseLong(dot < 0 ? entries[i] : entries[i].substring(0, dot)), epoch));
          } catch (NumberFormatException ignored) {
            // an empty entry: no position for that topic
          }
        }
        return out;
      }
      for (String part : cursor.split(",")) {
        String[] bits = part.trim().split(":");
        if (bits.length < 2 || bits[0].isEmpty()) {
          continue;
        }
        try {
          out.put(bits[0], new Position(Long.parseLong(bits[1]), bits.length > 2 && !bits[2].isEmpty() ? bits[2] : null));
        } catch (NumberFormatException ignored) {
          // not a position: left out, as push-client.js does
        }
      }
      return out;
    }

    static String format(Map<String, Position> positions) {
      StringBuilder sb = new StringBuilder();
      positions.forEach((topic, p) -> {
        if (sb.length() > 0) {
          sb.append(',');
        }
        sb.append(topic).append(':').append(p.id);
        if (p.epoch != null) {
          sb.append(':').append(p.epoch);
        }
      });
      return sb.toString();
    }
  }

  /** The client's options; {@link #build()} makes the client, {@link PushClient#connect()} starts it. */
  public static final class Builder {
    final String baseUrl;
    final List<String> topics = new ArrayList<>();
    Transport transport = Transport.AUTO;
    String cursor;
    String token;
    Supplier<CompletionStage<String>> tokenSupplier;
    Listener listener = new Listener() { };
    OkHttpClient http;
    Duration pollInterval = Duration.ofSeconds(1);
    int longPollTimeoutSeconds = 25;
    Duration backoffInitial = Duration.ofMillis(500);
    Duration backoffMax = Duration.ofSeconds(15);
    Duration connectTimeout = Duration.ofSeconds(10);
    Duration publishTimeout = Duration.ofSeconds(10);
    int publishRetries = 3;
    boolean idempotentPublishing = true;
    Set<Transport> unavailable = EnumSet.noneOf(Transport.class);
    String meter;
    boolean compact;
    boolean timestamps;
    /** The window of every topic (zero: none) and of topics named on their own. */
    Duration conflate = Duration.ZERO;
    final Map<String, Duration> conflateTopics = new LinkedHashMap<>();
    boolean presence;
    String name;
    boolean deltas;
    /** The events every topic rewinds (zero: none), and of topics named on their own. */
    int rewind;
    final Map<String, Integer> rewindTopics = new LinkedHashMap<>();

    private Builder(String baseUrl) {
      this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
    }

    /**
     * A name of 8 to 64 letters, digits, {@code -} or {@code _}, sent as {@code ?meter=} on every
     * request: the gateway counts what this client puts on the wire, and {@link #readMeter()}
     * reads it back.
     */
    public Builder meter(String key) {
      if (!key.matches("[A-Za-z0-9_-]{8,64}")) {
        throw new IllegalArgumentException("a meter is 8 to 64 letters, digits, - or _");
      }
      this.meter = key;
      return this;
    }

    /**
     * Joins the presence of the topics ({@code presence=1} on every transport): {@link
     * PushClient#members}, {@link PushClient#occupancy} and the listener's presence calls. With
     * a token the member is its {@code sub}; without, {@link #name} or anonymous.
     */
    public Builder presence() {
      this.presence = true;
      return this;
    }

    /** The presence name, where the gateway allows one ({@code presenceNames}); without a token only. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * Asks every transport for the compact format (docs/PROTOCOL.md, "Compact format"): events as
     * {@code [alias,data]}, ids derived, fewer bytes per event; {@link Event#ts()} is then 0.
     */
    public Builder compact() {
      this.compact = true;
      return this;
    }

    /** With {@link #compact()}: each event's {@code ts} as well ({@code ts=1}), so {@link Event#ts()} is set. */
    public Builder timestamps() {
      this.timestamps = true;
      return this;
    }

    /**
     * Each topic's newest value instead of every event ({@code conflate=} on every transport,
     * docs/PROTOCOL.md "Conflation"): on WebSocket and SSE at most one event per topic per
     * {@code window}, each poll answer the newest alone, and polls wait out the window after an
     * answer with events. Ids then skip, which the client does not take for a loss. For prices
     * and gauges on a slow or metered link; zero (the default) is every event.
     */
    public Builder conflate(Duration window) {
      this.conflate = window(window);
      return this;
    }

    /**
     * Conflates {@code topic} alone ({@code conflate=topic:MS}), the others taken whole unless
     * {@link #conflate(Duration)} says otherwise; polls then keep their own pace.
     */
    public Builder conflate(String topic, Duration window) {
      conflateTopics.put(Objects.requireNonNull(topic, "topic"), window(window));
      return this;
    }

    private static Duration window(Duration window) {
      if (window.isNegative() || window.toMillis() > 600_000) {
        throw new IllegalArgumentException("conflate is 0 to 600,000 ms, got " + window.toMillis() + " ms");
      }
      return window;
    }

    /**
     * Asks every transport for deltas ({@code delta=merge}, docs/PROTOCOL.md "Deltas"): an event's
     * data may come as a JSON Merge Patch from the topic's previous data, which the client applies,
     * so {@link Event#dataJson()} is always whole (the same JSON value; member order may differ).
     * Fewer bytes for successive states of one object where a few members change per event.
     */
    public Builder deltas() {
      this.deltas = true;
      return this;
    }

    /**
     * A topic the client has no position in (no cursor entry) starts with its newest {@code events}
     * kept events, then goes on live ({@code rewind=} on every transport, docs/PROTOCOL.md "Rewind"):
     * a chat room's last messages on joining. A topic the client resumes keeps its cursor, so a
     * reconnect brings no repeats. Zero (the default) starts at "now".
     */
    public Builder rewind(int events) {
      this.rewind = rewindCount(events);
      return this;
    }

    /** Rewinds {@code topic} alone ({@code rewind=topic:N}), the others as {@link #rewind(int)} says. */
    public Builder rewind(String topic, int events) {
      rewindTopics.put(Objects.requireNonNull(topic, "topic"), rewindCount(events));
      return this;
    }

    private static int rewindCount(int events) {
      if (events < 0 || events > 10_000_000) {
        throw new IllegalArgumentException("rewind is 0 to 10,000,000 events, got " + events);
      }
      return events;
    }

    /** The {@code rewind=} value for a subscription to {@code topics}, empty for none. */
    String rewindParam(Collection<String> topics) {
      StringBuilder param = new StringBuilder(rewind == 0 ? "" : String.valueOf(rewind));
      rewindTopics.forEach((topic, events) -> {
        if (topics.contains(topic)) {
          param.append(param.length() == 0 ? "" : ",").append(topic).append(':').append(events);
        }
      });
      return param.toString();
    }

    /** Whether {@code topic}'s ids may skip: it is conflated. */
    boolean conflates(String topic) {
      return !conflateTopics.getOrDefault(topic, conflate).isZero();
    }

    /** The {@code conflate=} value, empty for none. */
    String conflateParam() {
      StringBuilder param = new StringBuilder(conflate.isZero() ? "" : String.valueOf(conflate.toMillis()));
      conflateTopics.forEach((topic, window) ->
        param.append(param.length() == 0 ? "" : ",").append(topic).append(':').append(window.toMillis()));
      return param.toString();
    }

    public Builder topics(String... topics) {
      this.topics.addAll(Arrays.asList(topics));
      return this;
    }

    public Builder transport(Transport transport) {
      this.transport = transport;
      return this;
    }

    /** Resume from a cursor kept earlier ({@link PushClient#cursor()}); topics it does not name start at "now". */
    public Builder cursor(String cursor) {
      this.cursor = cursor;
      return this;
    }

    /** A bearer JWT, sent as {@code ?token=} on streams and {@code Authorization} on requests. */
    public Builder token(String token) {
      this.token = token;
      return this;
    }

    /**
     * Where fresh tokens come from: called before the token expires (a quarter of its remaining
     * life, at most 30 s, before its {@code exp}) and when the gateway refuses it. Without it, a
     * refused token ends the client with one {@link Listener#onUnauthorized}.
     */
    public Builder tokenSupplier(Supplier<CompletionStage<String>> supplier) {
      this.tokenSupplier = supplier;
      return this;
    }

    public Builder listener(Listener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** An OkHttp client to share (its dispatcher and pool); the client builds its own otherwise. */
    public Builder okHttpClient(OkHttpClient http) {
      this.http = http;
      return this;
    }

    public Builder pollInterval(Duration interval) {
      this.pollInterval = interval;
      return this;
    }

    public Builder longPollTimeoutSeconds(int seconds) {
      this.longPollTimeoutSeconds = seconds;
      return this;
    }

    public Builder backoff(Duration initial, Duration max) {
      this.backoffInitial = initial;
      this.backoffMax = max;
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    public Builder publishTimeout(Duration timeout) {
      this.publishTimeout = timeout;
      return this;
    }

    /** How many times a keyed publish is sent again at most (see {@link PushClient#publish(String, String, String)}); 3 unless set. */
    public Builder publishRetries(int retries) {
      if (retries < 0) {
        throw new IllegalArgumentException("publishRetries " + retries);
      }
      this.publishRetries = retries;
      return this;
    }

    /**
     * Whether a publish without an idempotency key gets one made by the client (its own random
     * prefix and a count), so that it too is sent again when no answer came and stored once; on
     * unless set. Off, such a publish is sent once and a lost answer is the caller's to handle.
     */
    public Builder idempotentPublishing(boolean on) {
      this.idempotentPublishing = on;
      return this;
    }

    /** Transports treated as failing from the start. */
    public Builder unavailable(Transport... transports) {
      this.unavailable = transports.length == 0 ? EnumSet.noneOf(Transport.class) : EnumSet.copyOf(Arrays.asList(transports));
      return this;
    }

    public PushClient build() {
      if (topics.isEmpty()) {
        throw new IllegalArgumentException("no topics");
      }
      for (String topic : rewindTopics.keySet()) {
        if (!topics.contains(topic)) {
          throw new IllegalArgumentException("rewind names " + topic + ", not a topic of the client");
        }
      }
      return new PushClient(this);
    }
  }

  /** A topic's last event for a patch to apply to: its id and data. */
  private static final class Base {
    final long id;
    final JsonElement data;

    Base(long id, JsonElement data) {
      this.id = id;
      this.data = data;
    }
  }
}
