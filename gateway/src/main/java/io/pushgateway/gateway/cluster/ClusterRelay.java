package io.pushgateway.gateway.cluster;

import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.HistoryLimits;
import io.pushgateway.gateway.core.Hubs;
import io.pushgateway.gateway.core.LocalCodec;
import io.pushgateway.gateway.core.Position;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Carries accepted events from the node that appended them to the hubs of every node: one
 * clustered event bus consumer per node, which hands each event on to the node's hubs that
 * listen to its topic ({@link Hubs}).
 *
 * <p>Events of one topic appended on different nodes can arrive out of order. Hubs would cope
 * (a {@code LiveStream} re-reads the log on any gap), but then every subscriber of the topic on
 * this node would read the log at once; so the relay restores the id order itself, holding an
 * early event until the missing ones arrive, for at most {@link #GAP_MILLIS}. A gap that does
 * not close (its publisher died between storing and publishing) is passed on as it is, and the
 * subscribers read the missing event from the log.
 *
 * <p>What the relay passed on is this node's view of the cluster's topics: each topic's head (see
 * {@code EventLog.head}), its newest events as delivered ({@link RecentEvents}), and how many
 * events its history keeps, as the owner counted at the topic's last append.
 */
final class ClusterRelay extends VerticleBase {

  static final long GAP_MILLIS = 200;
  private static final int MAX_HELD = 1000;

  private final String clusterAddress;
  private final Hubs hubs;
  private final AtomicLong keptEvents = new AtomicLong();
  private final Map<String, Position> heads = new ConcurrentHashMap<>();
  private final RecentEvents recent;
  private final Map<String, Order> orders = new HashMap<>();

  /** {@code history}: what a topic's history keeps, and so the most worth keeping here. */
  ClusterRelay(String clusterAddress, Hubs hubs, HistoryLimits history) {
    this.clusterAddress = clusterAddress;
    this.hubs = hubs;
    this.recent = new RecentEvents(history);
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    // Hands an event to this node's hubs by reference: encoded once per node, shared by all.
    LocalCodec.register(bus, Event.class);
    // Registered cluster-wide before the log reports itself deployed: from then on this node
    // receives every event appended anywhere.
    return bus.<Buffer>consumer(clusterAddress, msg -> decode(msg.body()).forEach(this::accept)).completion();
  }

  /** The relay's own context (its event loop), once deployed. */
  Context context() {
    return context;
  }

  /** The topic's last event handed to this node's hubs, or null; any thread. */
  Position head(String topic) {
    return heads.get(topic);
  }

  /** Events kept over all topics, as their owners counted at each topic's last append; any thread. */
  long keptEvents() {
    return keptEvents.get();
  }

  /** The event as this node's hubs got it, or null when it is not among the recent ones; any thread. */
  Event recent(String topic, String epoch, long id) {
    return recent.get(topic, epoch, id);
  }

  /**
   * Forgets a topic the cluster evicted; any thread. Its next event, of a new epoch, starts a new
   * order anyway: this frees the memory and stops counting its events.
   */
  void forget(String topic) {
    heads.remove(topic);
    recent.forget(topic);
    context.runOnContext(v -> {
      Order order = orders.remove(topic);
      if (order != null) {
        drop(order);
      }
    });
  }

  private void accept(Relayed relayed) {
    Event event = relayed.event();
    Order order = orders.get(event.topic());
    if (order == null || !order.epoch.equals(event.epoch())) {
      if (order != null) {
        drop(order);
      }
      order = new Order(event.epoch(), event.id());
      orders.put(event.topic(), order);
      forward(order, relayed);
      return;
    }
    if (event.id() <= order.last) {
      return; // the hubs are past it already; anyone who missed it reads it from the log
    }
    order.held.put(event.id(), relayed);
    if (order.held.size() > MAX_HELD) {
      flush(order);
      return;
    }
    drain(order);
    if (!order.held.isEmpty() && order.timer < 0) {
      Order waiting = order;
      order.timer = vertx.setTimer(GAP_MILLIS, t -> {
        waiting.timer = -1;
        flush(waiting);
      });
    }
  }

  /** Passes on every held event that is exactly next. */
  private void drain(Order order) {
    Relayed next;
    while ((next = order.held.remove(order.last + 1)) != null) {
      order.last = next.event().id();
      forward(order, next);
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
    order.held.values().forEach(relayed -> forward(order, relayed));
    order.last = order.held.lastKey();
    order.held.clear();
    if (order.timer >= 0) {
      vertx.cancelTimer(order.timer);
      order.timer = -1;
    }
  }

  /** An order replaced (a new epoch) or forgotten: its timer stops and its events no longer count. */
  private void drop(Order order) {
    if (order.timer >= 0) {
      vertx.cancelTimer(order.timer);
    }
    keptEvents.addAndGet(-order.kept);
  }

  private void forward(Order order, Relayed relayed) {
    Event event = relayed.event();
    keptEvents.addAndGet(relayed.kept() - order.kept);
    order.kept = relayed.kept();
    recent.add(event);
    // before the hubs hear of it: whoever saw the old head is on a hub by then
    heads.put(event.topic(), event.position());
    hubs.deliver(vertx.eventBus(), event);
  }

  /**
   * Appends an event's wire form to a message, after its length: topic, epoch, content type
   * (length -1: JSON data), id, ts, kept, then the data JSON to the end.
   */
  static void encode(Buffer message, Event event, String dataJson, int kept) {
    byte[] topic = event.topic().getBytes(StandardCharsets.UTF_8);
    byte[] epoch = event.epoch().getBytes(StandardCharsets.UTF_8);
    byte[] contentType = event.contentType() == null ? null : event.contentType().getBytes(StandardCharsets.US_ASCII);
    int lengthAt = message.length();
    message.appendInt(0)
      .appendInt(topic.length).appendBytes(topic)
      .appendInt(epoch.length).appendBytes(epoch);
    if (contentType == null) {
      message.appendInt(-1);
    } else {
      message.appendInt(contentType.length).appendBytes(contentType);
    }
    message
      .appendLong(event.id())
      .appendLong(event.ts())
      .appendInt(kept)
      .appendString(dataJson, "UTF-8");
    message.setInt(lengthAt, message.length() - lengthAt - 4);
  }

  /** The events of one message, read where they lie. */
  private static List<Relayed> decode(Buffer message) {
    List<Relayed> events = new ArrayList<>();
    for (int pos = 0; pos < message.length(); ) {
      int end = pos + 4 + message.getInt(pos);
      events.add(decode(message, pos + 4, end));
      pos = end;
    }
    return events;
  }

  private static Relayed decode(Buffer message, int start, int end) {
    int pos = start;
    int topicLength = message.getInt(pos);
    String topic = message.getString(pos + 4, pos + 4 + topicLength, "UTF-8");
    pos += 4 + topicLength;
    int epochLength = message.getInt(pos);
    String epoch = message.getString(pos + 4, pos + 4 + epochLength, "UTF-8");
    pos += 4 + epochLength;
    int contentTypeLength = message.getInt(pos);
    String contentType = contentTypeLength < 0 ? null
      : message.getString(pos + 4, pos + 4 + contentTypeLength, "US-ASCII");
    pos += 4 + Math.max(0, contentTypeLength);
    long id = message.getLong(pos);
    long ts = message.getLong(pos + 8);
    int kept = message.getInt(pos + 16);
    String dataJson = message.getString(pos + 20, end, "UTF-8");
    return new Relayed(Event.encode(topic, id, ts, epoch, dataJson, contentType), kept);
  }

  /** An event as relayed: with the number of events its history kept after appending it. */
  private record Relayed(Event event, int kept) {
  }

  /** Where one topic stands on this node: the last id passed on, early arrivals, the events kept. */
  private static final class Order {
    final String epoch;
    final TreeMap<Long, Relayed> held = new TreeMap<>();
    long last;
    int kept;
    /** The pending gap timer, -1 when none (timer ids start at 0). */
    long timer = -1;

    Order(String epoch, long last) {
      this.epoch = epoch;
      this.last = last;
    }
  }
}
