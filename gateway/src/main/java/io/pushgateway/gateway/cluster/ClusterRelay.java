package io.pushgateway.gateway.cluster;

import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.LocalCodec;
import io.pushgateway.gateway.core.Position;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Carries accepted events from the node that appended them to the hubs of every node: one
 * clustered event bus consumer per node, which republishes each event on the node's local events
 * address.
 *
 * <p>Events of one topic appended on different nodes can arrive out of order. Hubs would cope
 * (a {@code LiveStream} re-reads the log on any gap), but then every subscriber of the topic on
 * this node would read the log at once; so the relay restores the id order itself, holding an
 * early event until the missing ones arrive, for at most {@link #GAP_MILLIS}. A gap that does
 * not close (its publisher died between storing and publishing) is passed on as it is, and the
 * subscribers read the missing event from the log.
 */
final class ClusterRelay extends VerticleBase {

  static final long GAP_MILLIS = 200;
  private static final int MAX_HELD = 1000;

  private final String clusterAddress;
  private final String localAddress;
  private final AtomicLong published;
  private final Map<String, Position> heads;
  private final Map<String, Order> orders = new HashMap<>();
  private DeliveryOptions local;

  /**
   * {@code published}: counts the events handed to this node's hubs (see EventLog.eventsPublished);
   * {@code heads}: each topic's last event handed to them (see EventLog.head), any thread may read.
   */
  ClusterRelay(String clusterAddress, String localAddress, AtomicLong published, Map<String, Position> heads) {
    this.clusterAddress = clusterAddress;
    this.localAddress = localAddress;
    this.published = published;
    this.heads = heads;
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    // Hands an event to this node's hubs by reference: encoded once per node, shared by all.
    LocalCodec.register(bus, Event.class);
    local = new DeliveryOptions().setLocalOnly(true);
    // Registered cluster-wide before the log reports itself deployed: from then on this node
    // receives every event appended anywhere.
    return bus.<Buffer>consumer(clusterAddress, msg -> accept(decode(msg.body()))).completion();
  }

  /**
   * Forgets a topic the cluster evicted, on this verticle's event loop; any thread. Its next
   * event, of a new epoch, starts a new order anyway: this only frees the memory.
   */
  void forget(String topic) {
    context.runOnContext(v -> {
      Order order = orders.remove(topic);
      if (order != null && order.timer >= 0) {
        vertx.cancelTimer(order.timer);
      }
    });
  }

  /** Sends an accepted event to every node's relay, this one included. */
  static void publish(EventBus bus, String clusterAddress, Event event, String dataJson) {
    bus.publish(clusterAddress, encode(event, dataJson));
  }

  private void accept(Event event) {
    Order order = orders.get(event.topic());
    if (order == null || !order.epoch.equals(event.epoch())) {
      if (order != null && order.timer >= 0) {
        vertx.cancelTimer(order.timer);
      }
      orders.put(event.topic(), new Order(event.epoch(), event.id()));
      forward(event);
      return;
    }
    if (event.id() <= order.last) {
      return; // the hubs are past it already; anyone who missed it reads it from the log
    }
    order.held.put(event.id(), event);
    if (order.held.size() > MAX_HELD) {
      flush(order);
      return;
    }
    drain(order);
    if (!order.held.isEmpty() && order.timer < 0) {
      order.timer = vertx.setTimer(GAP_MILLIS, t -> {
        order.timer = -1;
        flush(order);
      });
    }
  }

  /** Passes on every held event that is exactly next. */
  private void drain(Order order) {
    Event next;
    while ((next = order.held.remove(order.last + 1)) != null) {
      order.last = next.id();
      forward(next);
    }
    if (order.held.isEmpty() && order.timer >= 0) {
      vertx.cancelTimer(order.timer);
      order.timer = -1;
    }
  }

  /** Gives up waiting for a gap to close: passes on what is held, in order. */
  private void flush(Order order) {
    if (order.held.isEmpty()) {
      return;
    }
    order.held.values().forEach(this::forward);
    order.last = order.held.lastKey();
    order.held.clear();
    if (order.timer >= 0) {
      vertx.cancelTimer(order.timer);
      order.timer = -1;
    }
  }

  private void forward(Event event) {
    // before the hubs hear of it: whoever saw the old head is on a hub by then
    heads.put(event.topic(), event.position());
    published.incrementAndGet();
    vertx.eventBus().publish(localAddress, event, local);
  }

  /** Wire form: topic, epoch, id, ts, then the data JSON to the end. */
  private static Buffer encode(Event event, String dataJson) {
    byte[] topic = event.topic().getBytes(StandardCharsets.UTF_8);
    byte[] epoch = event.epoch().getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer(32 + topic.length + epoch.length + dataJson.length())
      .appendInt(topic.length).appendBytes(topic)
      .appendInt(epoch.length).appendBytes(epoch)
      .appendLong(event.id())
      .appendLong(event.ts())
      .appendString(dataJson, "UTF-8");
  }

  private static Event decode(Buffer buffer) {
    int pos = 0;
    int topicLength = buffer.getInt(pos);
    String topic = buffer.getString(pos + 4, pos + 4 + topicLength, "UTF-8");
    pos += 4 + topicLength;
    int epochLength = buffer.getInt(pos);
    String epoch = buffer.getString(pos + 4, pos + 4 + epochLength, "UTF-8");
    pos += 4 + epochLength;
    long id = buffer.getLong(pos);
    long ts = buffer.getLong(pos + 8);
    String dataJson = buffer.getString(pos + 16, buffer.length(), "UTF-8");
    return Event.encode(topic, id, ts, epoch, dataJson);
  }

  /** Where one topic stands on this node: the last id passed on, and early arrivals. */
  private static final class Order {
    final String epoch;
    final TreeMap<Long, Event> held = new TreeMap<>();
    long last;
    /** The pending gap timer, -1 when none (timer ids start at 0). */
    long timer = -1;

    Order(String epoch, long last) {
      this.epoch = epoch;
      this.last = last;
    }
  }
}
