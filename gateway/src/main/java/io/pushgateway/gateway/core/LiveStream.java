package io.pushgateway.gateway.core;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One push subscriber's ordered view of its topics: the core of resume, shared by WebSocket and
 * SSE. It listens on the hub first and then reads the log after its positions, so no event can
 * fall between history and live delivery; live events are delivered only when they are exactly
 * the next id, anything else (a gap, another epoch) sends it back to the log. The sink therefore
 * sees every event once, in id order per topic, and resets explicitly. For a topic it conflates
 * ({@link #subscribe(String, Position, int)}) it sees the newest events at that topic's pace
 * instead: ids then skip, by the subscriber's choice.
 *
 * <p>Confined to the event loop of the hub it was created with.
 */
public final class LiveStream implements Hub.Listener {

  /** Where a stream's output goes: the transport's side of the seam. */
  public interface Sink {
    /**
     * The first time a topic's state is known (WebSocket's {@code subscribed} frame); its events
     * start after {@code from}: its latest id, or where a rewind started it.
     */
    void subscribed(TopicState state, long from);

    void reset(Reset reset);

    /**
     * The next event; {@code before} is where the stream stood in its topic (null: nowhere the
     * client was told of), so a compact format can leave out an id that is {@code before}'s + 1.
     */
    void event(Event event, Position before);

    /** False while the connection's write queue is full: catching up waits for {@link #drained()}. */
    boolean writable();

    Future<Void> drained();

    /** The log could not be read; the transport ends the connection. */
    void failed(Throwable cause);

    /** Whose timers pace the stream's conflated topics, on its event loop; null: it conflates none. */
    default Vertx vertx() {
      return null;
    }

    /** A presence change of a topic it follows the presence of ({@link #followPresence}). */
    default void presence(PresenceChange change) {
    }
  }

  /** Live events kept while catching up; past this the log is read again instead. */
  private static final int MAX_QUEUED = 4096;
  /** Before a topic's first event, in whatever epoch its history gets (an id alone is trusted, its epoch learnt). */
  private static final Position BEFORE_ANY = new Position(0, null);
  private static final int READ_BATCH = 500;
  /** A read's events are written before the next is asked for: no more of them than a slow connection may queue. */
  private static final long READ_BATCH_BYTES = 1 << 20;

  private final EventLog log;
  private final Hub hub;
  private final Sink sink;
  /**
   * Per subscribed topic: the position, or null while still "now" and not yet read. Sized for the
   * one or two topics of most streams: an idle connection's heap is mostly such tables.
   */
  private final Map<String, Position> positions = new LinkedHashMap<>(2);
  /** Topics whose state the sink has not been told yet; null when none, as for every stream at rest. */
  private List<String> unannounced;
  /** Events that came while reading; made on the first (an empty deque is an array of 17). */
  private ArrayDeque<Event> queued;
  /** The subscribed topics whose presence changes go to the sink. */
  private Set<String> presenceFollowed = Set.of();
  /** What its subscriptions count under in the hub's subscriber counts (null: nothing). */
  private final Transport transport;
  /** The window of topics subscribed without one of their own (0: every event). */
  private int defaultWindowMillis;
  /** Made for the first conflated topic; the fields of a stream at rest are kept few. */
  private Conflation conflation;
  private boolean reading;
  private boolean stale;
  private boolean closed;

  public LiveStream(EventLog log, Hub hub, Sink sink, Transport transport) {
    this.log = log;
    this.hub = hub;
    this.sink = sink;
    this.transport = transport;
  }

  /** A stream whose subscriptions are not counted. */
  public LiveStream(EventLog log, Hub hub, Sink sink) {
    this(log, hub, sink, null);
  }

  @Override
  public Transport transport() {
    return transport;
  }

  /**
   * The conflation window of topics subscribed without one of their own (0, the default: every
   * event). Set before subscribing.
   */
  public void conflateByDefault(int windowMillis) {
    this.defaultWindowMillis = windowMillis;
  }

  /** The window of topics subscribed without one of their own (0: every event). */
  public int defaultWindowMillis() {
    return defaultWindowMillis;
  }

  /** Starts following {@code topic} after {@code after} (null: from now), with the default window. */
  public void subscribe(String name, Position after) {
    subscribe(name, after, defaultWindowMillis);
  }

  /**
   * Starts following {@code topic} after {@code after} (null: from now); with a
   * {@code windowMillis} above 0, its newest event alone, at most one per window, and its reads
   * of the log take the newest event alone.
   */
  public void subscribe(String name, Position after, int windowMillis) {
    // The same instance as every Event's topic (Event.encode interns it too): the per-delivery
    // lookup in accept() then matches by identity instead of comparing the names' bytes, which
    // at a fan-out of thousands of streams is a cache miss per delivery.
    String topic = name.intern();
    if (closed || positions.containsKey(topic)) {
      return;
    }
    positions.put(topic, after);
    if (windowMillis > 0 && sink.vertx() != null) {
      if (conflation == null) {
        conflation = new Conflation(sink.vertx(), sink, this::sendConflated);
      }
      conflation.add(topic, windowMillis);
    }
    if (unannounced == null) {
      unannounced = new ArrayList<>(2);
    }
    unannounced.add(topic);
    hub.add(topic, this);
    if (after == null) {
      // "Now" is this moment, not when the read below is answered: a client that saw its stream
      // open (an SSE stream's headers go out before that read) gets what is published next. A
      // topic without events yet starts before its first; one whose head a cluster node has not
      // seen has "now" fixed by the read.
      Position head = log.head(topic);
      if (head != null) {
        positions.put(topic, head);
      } else if (log.knowsEveryHead()) {
        positions.put(topic, BEFORE_ANY);
      }
    }
    catchUp();
  }

  /** Passes the presence changes of {@code topic}, once subscribed, to the sink. */
  public void followPresence(String topic) {
    if (presenceFollowed.isEmpty()) {
      // most streams never follow presence: the set is made for the first that does
      presenceFollowed = new HashSet<>();
    }
    presenceFollowed.add(topic.intern());
  }

  public boolean followsPresence(String topic) {
    return presenceFollowed.contains(topic);
  }

  @Override
  public void onPresence(PresenceChange change) {
    if (!closed && presenceFollowed.contains(change.topic())) {
      sink.presence(change);
    }
  }

  public void unsubscribe(String topic) {
    if (!presenceFollowed.isEmpty()) {
      presenceFollowed.remove(topic);
    }
    if (positions.containsKey(topic)) {
      positions.remove(topic);
      announced(topic);
      if (conflation != null) {
        conflation.forget(topic);
      }
      hub.remove(topic, this);
    }
  }

  /**
   * True while reading the log and until what it read has drained; the sink's queue may
   * legitimately fill then.
   */
  public boolean isCatchingUp() {
    return reading;
  }

  public boolean subscribes(String topic) {
    return positions.containsKey(topic);
  }

  public List<String> topics() {
    return List.copyOf(positions.keySet());
  }

  /** Stops listening; safe to call more than once. */
  public void close() {
    if (!closed) {
      closed = true;
      positions.keySet().forEach(topic -> hub.remove(topic, this));
      queued = null;
      if (conflation != null) {
        conflation.close();
      }
    }
  }

  /** The cursor after everything delivered so far, over all subscribed topics. */
  public Cursor cursor() {
    Map<String, Position> known = new LinkedHashMap<>();
    positions.forEach((topic, position) -> {
      if (position != null) {
        known.put(topic, position);
      }
    });
    return Cursor.of(known);
  }

  @Override
  public void onEvent(Event event) {
    if (closed) {
      return;
    }
    if (reading) {
      if (queued == null) {
        queued = new ArrayDeque<>();
      }
      if (queued.size() < MAX_QUEUED) {
        queued.add(event);
      } else {
        stale = true;
      }
      return;
    }
    accept(event);
  }

  private void accept(Event event) {
    Position position = positions.get(event.topic());
    if (position == null) {
      if (positions.containsKey(event.topic())) {
        catchUp();
      }
      return;
    }
    if (conflation != null && conflation.conflates(event.topic()) && Position.ahead(position, event)) {
      conflation.offer(event); // a gap is what conflation makes: the newest is all it needs
      return;
    }
    switch (Position.step(position, event)) {
      case SEEN -> { } // already delivered, from history
      case NEXT -> {
        positions.put(event.topic(), event.position());
        sink.event(event, position);
      }
      case GAP -> catchUp();
    }
  }

  /** A conflated event leaving: sent if no read delivered it, or a newer one, meanwhile. */
  private void sendConflated(Event event) {
    Position position = positions.get(event.topic());
    if (!closed && Position.ahead(position, event)) {
      positions.put(event.topic(), event.position());
      sink.event(event, position);
    }
  }

  private void catchUp() {
    if (reading) {
      stale = true;
      return;
    }
    reading = true;
    stale = false;
    readNext();
  }

  private void readNext() {
    List<String> topics = List.copyOf(positions.keySet());
    log.read(new ReadRequest(topics, cursor(), READ_BATCH, READ_BATCH_BYTES,
        conflation == null ? Set.of() : conflation.topics()))
      .onSuccess(this::deliver)
      .onFailure(cause -> {
        if (!closed) {
          sink.failed(cause);
        }
      });
  }

  private void readAgain() {
    stale = false;
    queued = null; // the next read covers them: they were in the log before they were published
    whenWritable().onSuccess(v -> readNext());
  }

  private void deliver(ReadResult result) {
    if (closed) {
      return;
    }
    if (unannounced != null && unannounced.stream().anyMatch(t -> !result.cursor().positions().containsKey(t))) {
      // A topic subscribed after this read went out (a topic is announced once a read covers it;
      // until then it may have no position yet, or its rewind): an event delivered now would hand
      // out a cursor without it (an SSE id), and its subscribed frame must come before any event,
      // as a WebSocket's subscription promises. Read again, for every topic.
      readAgain();
      return;
    }
    // Topics that start at "now" learn their position before any event goes out, so every cursor
    // handed out (an SSE id) names every topic: "now" becomes an id. The read returns no events
    // for them.
    // So do ids the client sent without their epoch ("topic:0", an id alone is trusted): they
    // learn it, so every cursor handed out names its history. A reset below corrects both.
    // A rewind becomes where the read started it, its events below taking it on from there; its
    // subscribed frame says so.
    Set<String> rewound = Set.of();
    for (Map.Entry<String, Position> read : result.cursor().positions().entrySet()) {
      String topic = read.getKey();
      Position known = positions.get(topic);
      if (positions.containsKey(topic) && known == null) {
        positions.put(topic, read.getValue());
      } else if (known != null && known.isRewind()) {
        positions.put(topic, rewindStart(topic, known, result.states().get(topic)));
        rewound = rewound.isEmpty() ? new HashSet<>(2) : rewound;
        rewound.add(topic);
      } else if (known != null && known.epoch() == null && read.getValue().epoch() != null) {
        positions.put(topic, new Position(known.id(), read.getValue().epoch()));
      }
    }
    for (String topic : unannounced == null ? List.<String>of() : List.copyOf(unannounced)) {
      TopicState state = result.states().get(topic);
      if (state != null) {
        announced(topic);
        sink.subscribed(state, rewound.contains(topic) ? positions.get(topic).id() : state.lastId());
      }
    }
    for (Reset reset : result.resets()) {
      if (positions.containsKey(reset.topic())) {
        positions.put(reset.topic(), new Position(reset.from() - 1, reset.epoch()));
        sink.reset(reset);
      }
    }
    for (Event event : result.events()) {
      if (!positions.containsKey(event.topic())) {
        continue;
      }
      if (conflation != null && conflation.conflates(event.topic())) {
        Position at = positions.get(event.topic());
        if (at != null && Position.step(at, event) == Position.Step.SEEN) {
          continue; // a held event went out while this read was on its way, and it was as new
        }
        conflation.sent(event.topic());
      }
      sink.event(event, positions.put(event.topic(), event.position()));
    }
    if (result.more() || stale) {
      readAgain();
      return;
    }
    // The last read may have filled the queue as much as any before it: it is history all the
    // same, so catching up ends once the queue drains, not while the client is still reading it.
    whenWritable().onSuccess(v -> caughtUp());
  }

  /** Where the read of a rewind started, by the same rule the log applied to the same state. */
  private Position rewindStart(String topic, Position rewind, TopicState state) {
    boolean newestOnly = conflation != null && conflation.conflates(topic);
    return new Position(ReadStart.of(rewind, state.lastId(), state.oldestId(), state.epoch(), newestOnly).after(),
      state.epoch());
  }

  private void announced(String topic) {
    if (unannounced != null && unannounced.remove(topic) && unannounced.isEmpty()) {
      unannounced = null;
    }
  }

  private void caughtUp() {
    if (closed) {
      return;
    }
    if (stale) {
      readAgain();
      return;
    }
    reading = false;
    while (queued != null && !queued.isEmpty() && !reading && !closed) {
      accept(queued.poll());
    }
    // emptied, or covered by the read that accept() started
    queued = null;
  }

  private Future<Void> whenWritable() {
    return sink.writable() ? Future.succeededFuture() : sink.drained();
  }
}
