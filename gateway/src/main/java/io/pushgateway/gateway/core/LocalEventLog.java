package io.pushgateway.gateway.core;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The single-node, in-memory {@link EventLog}. Its {@link TopicStore} lives on the event loop of
 * one verticle ({@link Owner}); every other event loop reaches it over the local event bus, so the
 * store needs no locks and replies arrive on the caller's own event loop.
 */
public final class LocalEventLog implements EventLog {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  /** Topics the eviction sweep looks at per tick at most: a bounded piece of the event loop's time. */
  static final int SWEEP_BATCH = 10_000;

  private final Vertx vertx;
  private final String address;
  private final String deployment;
  private final TopicStore store;
  private final Hubs hubs;
  private final AtomicReference<Map<String, Position>> heads;

  private LocalEventLog(Vertx vertx, String address, String deployment, TopicStore store, Hubs hubs,
                        AtomicReference<Map<String, Position>> heads) {
    this.vertx = vertx;
    this.address = address;
    this.deployment = deployment;
    this.store = store;
    this.hubs = hubs;
    this.heads = heads;
  }

  /**
   * Deploys the owning verticle; {@code namespace} keeps two gateways in one Vert.x apart. Topics
   * are bounded: at most {@code maxTopics}, and those untouched for {@code idleMillis} (0: never)
   * for which {@code inUse} (any thread) says no are evicted.
   */
  public static Future<LocalEventLog> deploy(Vertx vertx, String namespace, int historySize, long maxAgeMillis,
                                             int maxTopics, long idleMillis, Predicate<String> inUse) {
    return deploy(vertx, namespace, HistoryLimits.of(historySize, maxAgeMillis), maxTopics, idleMillis, inUse);
  }

  /** The same with every bound on history, bytes included. */
  public static Future<LocalEventLog> deploy(Vertx vertx, String namespace, HistoryLimits limits, int maxTopics,
                                             long idleMillis, Predicate<String> inUse) {
    EventBus eventBus = vertx.eventBus();
    List.of(Event.class, Stored.class, ReadRequest.class, ReadResult.class, Append.class, TopicState.class, TopicQuery.class,
        TopicQuery.Page.class)
      .forEach(type -> LocalCodec.register(eventBus, type));
    String address = "push-gateway." + namespace + ".log";
    TopicStore store = new TopicStore(limits, TopicStore.newEpoch(), maxTopics, idleMillis, inUse);
    Hubs hubs = new Hubs(address + ".events");
    AtomicReference<Map<String, Position>> heads = new AtomicReference<>(new ConcurrentHashMap<>());
    return vertx.deployVerticle(new Owner(store, address, hubs, heads, idleMillis))
      .map(id -> new LocalEventLog(vertx, address, id, store, hubs, heads));
  }

  @Override
  public Future<Stored> appendOnce(String topic, String dataJson, String contentType, String key) {
    return request("append", new Append(topic, dataJson, contentType, key));
  }

  @Override
  public Future<ReadResult> read(ReadRequest request) {
    return request("read", request);
  }

  @Override
  public Future<Optional<TopicState>> state(String topic) {
    return this.<TopicState>request("state", topic).map(Optional::ofNullable);
  }

  @Override
  public Future<Boolean> delete(String topic) {
    return request("delete", topic);
  }

  @Override
  public Future<TopicQuery.Page> topics(TopicQuery query) {
    return request("topics", query);
  }

  @Override
  public Future<Void> close() {
    return vertx.undeploy(deployment);
  }

  @Override
  public Hubs hubs() {
    return hubs;
  }

  /** Heads move with every append, before the hubs hear of it, and leave with their topic. */
  @Override
  public boolean knowsEveryHead() {
    return true;
  }

  @Override
  public Position head(String topic) {
    return heads.get().get(topic);
  }

  @Override
  public long keptEvents() {
    return store.keptEvents();
  }

  @Override
  public long topicCount() {
    return store.topicCount();
  }

  private <T> Future<T> request(String action, Object body) {
    return vertx.eventBus().<T>request(address + "." + action, body, LOCAL)
      .map(Message::body)
      .recover(LocalEventLog::failure);
  }

  /**
   * A refusal the owner sent back ({@link Message#fail} with the code's ordinal) as it was thrown.
   * The owner not answering in time, or not there (undeployed while the gateway stops), is the
   * log being unavailable: {@code overloaded}, worth a retry. Any other failure is a bug.
   */
  private static <T> Future<T> failure(Throwable e) {
    if (e instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.RECIPIENT_FAILURE
          && reply.failureCode() >= 0 && reply.failureCode() < ErrorCode.values().length) {
        return Future.failedFuture(new GatewayException(ErrorCode.values()[reply.failureCode()], reply.getMessage()));
      }
      if (reply.failureType() == ReplyFailure.TIMEOUT || reply.failureType() == ReplyFailure.NO_HANDLERS) {
        return Future.failedFuture(new GatewayException(ErrorCode.OVERLOADED, "the event log is unavailable, retry"));
      }
    }
    return Future.failedFuture(e);
  }

  record Append(String topic, String dataJson, String contentType, String key) {
  }

  /** Owns the store: the only code that touches it, always on this verticle's event loop. */
  private static final class Owner extends VerticleBase {

    private final TopicStore store;
    private final String address;
    private final Hubs hubs;
    /** Written only here; swapped for a smaller copy once most topics went (a map's table never shrinks). */
    private final AtomicReference<Map<String, Position>> heads;
    private final long idleMillis;
    private int peakTopics;

    Owner(TopicStore store, String address, Hubs hubs, AtomicReference<Map<String, Position>> heads,
          long idleMillis) {
      this.store = store;
      this.address = address;
      this.hubs = hubs;
      this.heads = heads;
      this.idleMillis = idleMillis;
    }

    @Override
    public Future<?> start() {
      EventBus bus = vertx.eventBus();
      bus.<Append>localConsumer(address + ".append", msg -> {
        Append append = msg.body();
        Stored stored;
        try {
          stored = store.append(append.topic(), append.dataJson(), append.contentType(), append.key(),
            System.currentTimeMillis());
        } catch (GatewayException refused) {
          msg.fail(refused.code().ordinal(), refused.getMessage());
          return;
        }
        if (stored.duplicate()) {
          msg.reply(stored, LOCAL); // delivered when it was stored
          return;
        }
        Event event = stored.event();
        // The head moves before the hubs hear of the event: whoever saw the old head is on a hub
        // by then and gets this event from it. Sent before replying: a publisher that got its
        // ack can rely on the hubs having it queued.
        heads.get().put(event.topic(), event.position());
        hubs.deliver(bus, event);
        msg.reply(stored, LOCAL);
      });
      bus.<ReadRequest>localConsumer(address + ".read",
        msg -> msg.reply(store.read(msg.body(), System.currentTimeMillis()), LOCAL));
      bus.<String>localConsumer(address + ".state",
        msg -> msg.reply(store.state(msg.body(), System.currentTimeMillis()).orElse(null), LOCAL));
      bus.<String>localConsumer(address + ".delete", msg -> {
        // its head goes first: no poll takes the old life's head for the new one's
        heads.get().remove(msg.body());
        msg.reply(store.delete(msg.body()), LOCAL);
      });
      bus.<TopicQuery>localConsumer(address + ".topics", msg -> msg.reply(msg.body().of(store.topicNames()), LOCAL));
      if (idleMillis > 0) {
        // a few sweeps per idle period, at most one a second: a topic goes soon after its time
        vertx.setPeriodic(Math.max(100, Math.min(1000, idleMillis / 4)), t -> sweep());
      }
      return Future.succeededFuture();
    }

    /** Evicts idle topics; their heads go too, so no poll takes an old life's head for the new one's. */
    private void sweep() {
      Map<String, Position> current = heads.get();
      store.sweep(System.currentTimeMillis(), SWEEP_BATCH).forEach(current::remove);
      int topics = store.topicCount();
      peakTopics = Math.max(peakTopics, topics);
      if (peakTopics > TopicStore.SHRINK_ABOVE && topics < peakTopics / 4) {
        // Only this event loop writes heads, so the copy misses nothing; a reader of the old
        // map meanwhile gets the same heads.
        heads.set(new ConcurrentHashMap<>(current));
        peakTopics = topics;
      }
    }
  }
}
