package io.pushgateway.gateway.core;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The single-node, in-memory {@link EventLog}. Its {@link TopicStore} lives on the event loop of
 * one verticle ({@link Owner}); every other event loop reaches it over the local event bus, so the
 * store needs no locks and replies arrive on the caller's own event loop.
 */
public final class LocalEventLog implements EventLog {

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final Vertx vertx;
  private final String address;
  private final String deployment;
  private final TopicStore store;
  private final AtomicLong published;
  private final Map<String, Position> heads;

  private LocalEventLog(Vertx vertx, String address, String deployment, TopicStore store, AtomicLong published,
                        Map<String, Position> heads) {
    this.vertx = vertx;
    this.address = address;
    this.deployment = deployment;
    this.store = store;
    this.published = published;
    this.heads = heads;
  }

  /** Deploys the owning verticle; {@code namespace} keeps two gateways in one Vert.x apart. */
  public static Future<LocalEventLog> deploy(Vertx vertx, String namespace, int historySize, long maxAgeMillis) {
    EventBus eventBus = vertx.eventBus();
    List.of(Event.class, ReadRequest.class, ReadResult.class, Append.class, TopicState.class)
      .forEach(type -> LocalCodec.register(eventBus, type));
    String address = "push-gateway." + namespace + ".log";
    TopicStore store = new TopicStore(historySize, maxAgeMillis, TopicStore.newEpoch());
    AtomicLong published = new AtomicLong();
    Map<String, Position> heads = new ConcurrentHashMap<>();
    return vertx.deployVerticle(new Owner(store, address, published, heads))
      .map(id -> new LocalEventLog(vertx, address, id, store, published, heads));
  }

  @Override
  public Future<Event> append(String topic, String dataJson) {
    return this.<Event>request("append", new Append(topic, dataJson));
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
  public Future<List<String>> topics() {
    return this.<JsonArray>request("topics", "").map(names -> names.stream().map(String::valueOf).toList());
  }

  @Override
  public Future<Void> close() {
    return vertx.undeploy(deployment);
  }

  @Override
  public String eventsAddress() {
    return address + ".events";
  }

  @Override
  public Position head(String topic) {
    return heads.get(topic);
  }

  @Override
  public long eventsPublished() {
    return published.get();
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
      .recover(LocalEventLog::unavailable);
  }

  /**
   * The owner not answering in time, or not there (undeployed while the gateway stops), is the
   * log being unavailable: {@code overloaded}, worth a retry. Any other failure is a bug.
   */
  private static <T> Future<T> unavailable(Throwable failure) {
    if (failure instanceof ReplyException reply
        && (reply.failureType() == ReplyFailure.TIMEOUT || reply.failureType() == ReplyFailure.NO_HANDLERS)) {
      return Future.failedFuture(new GatewayException(ErrorCode.OVERLOADED, "the event log is unavailable, retry"));
    }
    return Future.failedFuture(failure);
  }

  record Append(String topic, String dataJson) {
  }

  /** Owns the store: the only code that touches it, always on this verticle's event loop. */
  private static final class Owner extends VerticleBase {

    private final TopicStore store;
    private final String address;
    private final AtomicLong published;
    private final Map<String, Position> heads;

    Owner(TopicStore store, String address, AtomicLong published, Map<String, Position> heads) {
      this.store = store;
      this.address = address;
      this.published = published;
      this.heads = heads;
    }

    @Override
    public Future<?> start() {
      EventBus bus = vertx.eventBus();
      String events = address + ".events";
      bus.<Append>localConsumer(address + ".append", msg -> {
        Event event = store.append(msg.body().topic(), msg.body().dataJson(), System.currentTimeMillis());
        // The head moves before the hubs hear of the event: whoever saw the old head is on a hub
        // by then and gets this event from it. Publish before replying: a publisher that got its
        // ack can rely on the hubs having it queued.
        heads.put(event.topic(), event.position());
        published.incrementAndGet();
        bus.publish(events, event, LOCAL);
        msg.reply(event, LOCAL);
      });
      bus.<ReadRequest>localConsumer(address + ".read",
        msg -> msg.reply(store.read(msg.body(), System.currentTimeMillis()), LOCAL));
      bus.<String>localConsumer(address + ".state",
        msg -> msg.reply(store.state(msg.body(), System.currentTimeMillis()).orElse(null), LOCAL));
      bus.<String>localConsumer(address + ".topics", msg -> msg.reply(new JsonArray(store.topicNames()), LOCAL));
      return Future.succeededFuture();
    }
  }
}
