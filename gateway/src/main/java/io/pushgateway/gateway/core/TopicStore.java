package io.pushgateway.gateway.core;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The in-memory event log: topics, ids, bounded history, epochs and the cursor arithmetic.
 * Plain single-threaded logic with no I/O, so it is unit-tested directly; {@link LocalEventLog}
 * confines it to one event loop.
 *
 * <p>Topics are bounded: at most {@code maxTopics} of them, and with {@code idleMillis} a topic
 * nobody publishes to, reads or subscribes to for that long is evicted with its history by
 * {@link #sweep}. Each life of a topic then has its own epoch, so a cursor from a life that was
 * evicted gets a reset from the next one instead of silently skipping its first ids.
 */
public final class TopicStore {

  private static final SecureRandom RANDOM = new SecureRandom();
  /** How many six-character epochs there are: 36^6. */
  private static final long EPOCHS = 2_176_782_336L;
  /** Maps of topics that held more than this are copied smaller once three quarters went. */
  static final int SHRINK_ABOVE = 1024;
  /** Topics looked at per append for the total bound at most. */
  private static final int TOTAL_SCAN = 1024;
  /** Unpublished topics looked at per publish to a new topic in a full store at most. */
  private static final int UNPUBLISHED_SCAN = 64;

  /**
   * In the order they were last moved to the end: a topic moves when touched a step after its
   * last move, so the least recently touched come first, where the sweep looks, and a busy
   * topic costs no more than a field write per touch.
   */
  private LinkedHashMap<String, TopicHistory> topics = new LinkedHashMap<>();
  /** The names of the topics with events, sorted, so a page of the listing costs its own length. */
  private final TreeSet<String> named = new TreeSet<>();
  /** The topics a read started that have had no event yet, the oldest first. */
  private final LinkedHashSet<String> unpublished = new LinkedHashSet<>();
  /** Most topics since the map was last copied: its table never shrinks by itself. */
  private int peakTopics;
  private final HistoryLimits limits;
  /** The store's epoch: every history's without eviction, a topic without history's with it. */
  private final String epoch;
  private final int maxTopics;
  private final long idleMillis;
  private final long orderStep;
  private final Predicate<String> inUse;
  /** Histories started so far, numbering their epochs. */
  private long lives;
  /** A topic was deleted: every history started since has an epoch of its own, as with eviction. */
  private boolean livesDiffer;
  private long lastTs;
  /** The latest time seen, so the order of the map is also the order of {@code ordered}. */
  private long clock;
  /** Written only on the owning event loop, read by the metrics scrape: volatile, no lock. */
  private volatile long keptEvents;
  /** The JSON bytes of every kept event and remembered key, held to {@code limits.totalBytes()}. */
  private long keptBytes;
  /** The topics that remember keys of events that left: the total bound forgets these before any event. */
  private final Set<TopicHistory> rememberingKeys = new LinkedHashSet<>();
  private volatile int topicCount;

  /**
   * @param maxAgeMillis 0 keeps events by count only
   * @param epoch        this history's name; a new store (a restart) must get a new one
   */
  public TopicStore(int historySize, long maxAgeMillis, String epoch) {
    this(HistoryLimits.of(historySize, maxAgeMillis), epoch, Integer.MAX_VALUE, 0, topic -> false);
  }

  public TopicStore(int historySize, long maxAgeMillis, String epoch, int maxTopics, long idleMillis,
                    Predicate<String> inUse) {
    this(HistoryLimits.of(historySize, maxAgeMillis), epoch, maxTopics, idleMillis, inUse);
  }

  /**
   * @param maxTopics  topics kept at most; a publish that would start one more is refused
   * @param idleMillis evict a topic untouched for this long (0: never evict)
   * @param inUse      whether a topic has subscribers now (it is then never evicted); any thread
   */
  public TopicStore(HistoryLimits limits, String epoch, int maxTopics, long idleMillis, Predicate<String> inUse) {
    this.limits = limits;
    this.epoch = epoch;
    this.maxTopics = maxTopics;
    this.idleMillis = idleMillis;
    this.orderStep = idleMillis / 8;
    this.inUse = inUse;
  }

  /** A short random epoch such as {@code k3x9q2}, so an old cursor is never taken for a new one. */
  public static String newEpoch() {
    // one draw, not one per character: a cluster node makes an epoch for every append it sends
    // (used if the topic turns out new), and each draw from the system's generator takes a lock
    return Long.toString(EPOCHS + Math.floorMod(RANDOM.nextLong(), EPOCHS), 36).substring(1);
  }

  public String epoch() {
    return epoch;
  }

  /** Accepts an event: the next id of its topic, and a timestamp that never goes backwards. */
  public Event append(String topic, String dataJson, long nowMillis) {
    return append(topic, dataJson, null, nowMillis);
  }

  /** The same for an event of bytes of {@code contentType} (null: JSON data), see {@link Event#encode}. */
  public Event append(String topic, String dataJson, String contentType, long nowMillis) {
    return append(topic, dataJson, contentType, null, nowMillis).event();
  }

  /**
   * The same for a publish that may carry an idempotency {@code key} (null: none): if the topic
   * keeps an event of that key, or remembers the key of one that left, nothing is stored and that
   * event is the answer, a duplicate; if its data differs, the publish is refused
   * ({@link ErrorCode#KEY_CONFLICT}).
   */
  public Stored append(String topic, String dataJson, String contentType, String key, long nowMillis) {
    TopicHistory history = touch(topic, nowMillis);
    if (history != null && key != null) {
      trim(history, nowMillis); // a key past its window is found no more
      Stored repeat = history.repeatOf(key, dataJson, contentType);
      if (repeat != null) {
        return repeat;
      }
    }
    if (history == null) {
      if (topics.size() >= maxTopics && !dropAnUnpublishedTopic()) {
        throw new GatewayException(ErrorCode.TOO_MANY_TOPICS, "the gateway holds its limit of " + maxTopics
          + " topics; topics without subscribers are evicted once idle, retry later or publish to an existing topic");
      }
      history = start(topic);
    }
    lastTs = Math.max(lastTs, nowMillis);
    Change change = new Change(history);
    Event event = history.append(lastTs, dataJson, contentType, key);
    if (event.id() == 1) {
      named.add(topic); // its first event: listed from now on
      unpublished.remove(topic);
    }
    change.settle();
    trim(history, nowMillis);
    keepWithinTotal(history);
    return new Stored(event, false);
  }

  public ReadResult read(ReadRequest request, long nowMillis) {
    ReadAssembly answer = new ReadAssembly(request);
    for (String topic : request.topics()) {
      TopicHistory history = touch(topic, nowMillis);
      if (history == null && idleMillis > 0 && topics.size() < maxTopics) {
        // A subscriber must get the epoch the topic keeps once events arrive, or the first one
        // would reset it: the history starts now, empty (the sweep drops it once unused).
        history = start(topic);
        unpublished.add(topic);
      }
      if (history != null) {
        trim(history, nowMillis);
      }
      TopicState state = state(topic, history);
      TopicHistory kept = history;
      answer.add(state, ReadStart.of(request.cursor().get(topic), state.lastId(), state.oldestId(), state.epoch(),
          request.newestOnly().contains(topic)),
        (after, max, out) -> kept == null ? 0 : (int) (kept.copyAfter(after, max, out) - after));
    }
    return answer.result();
  }

  /** The topic's state, empty if it has no events (a history started by a subscriber has none). */
  public Optional<TopicState> state(String topic, long nowMillis) {
    // a look, not a use: watching a topic does not keep it from eviction
    TopicHistory history = topics.get(topic);
    if (history == null || history.lastId() == 0) {
      return Optional.empty();
    }
    trim(history, nowMillis);
    return Optional.of(state(topic, history));
  }

  /** Events kept over all topics (age-expired ones count until their topic is next touched). */
  public long keptEvents() {
    return keptEvents;
  }

  /** Topics kept, with or without events. */
  public int topicCount() {
    return topicCount;
  }

  /** The topics that have had events (not those a subscriber alone started), in name order; a live view. */
  public NavigableSet<String> topicNames() {
    return Collections.unmodifiableNavigableSet(named);
  }

  /**
   * Evicts topics untouched for {@code idleMillis} and without subscribers, looking at no more
   * than {@code maxChecked} of them (the sweep runs on the event loop, a bounded piece per tick).
   * A topic found in use counts as touched now. Returns the evicted topics.
   */
  public List<String> sweep(long nowMillis, int maxChecked) {
    List<String> evicted = new ArrayList<>();
    if (idleMillis <= 0) {
      return evicted;
    }
    List<TopicHistory> busy = new ArrayList<>();
    clock = Math.max(clock, nowMillis);
    long idleBefore = clock - idleMillis;
    Iterator<TopicHistory> it = topics.values().iterator();
    for (int checked = 0; checked < maxChecked && it.hasNext(); checked++) {
      TopicHistory history = it.next();
      if (history.ordered > idleBefore) {
        break; // every later one was touched later still
      }
      if (history.touched > idleBefore) {
        continue; // touched less than a step after its move: due soon, or moved by its next touch
      }
      if (inUse.test(history.topic())) {
        busy.add(history);
      } else {
        it.remove();
        forget(history);
        evicted.add(history.topic());
      }
    }
    busy.forEach(this::moveToEnd);
    topicCount = topics.size();
    if (peakTopics > SHRINK_ABOVE && topicCount < peakTopics / 4) {
      topics = new LinkedHashMap<>(topics); // same order
      peakTopics = topicCount;
    }
    return evicted;
  }

  /**
   * Makes room for a topic being published to in a full store by dropping the oldest topic that a
   * read started, that has had no event and that nothing is subscribed to. Reads start topics so a
   * subscriber learns the epoch the first event will have; without this, polls for made-up names
   * could fill the store and refuse every new topic until they went idle. A poller of the dropped
   * topic loses nothing: its next read starts it again, and the first event resets it to id 1.
   */
  private boolean dropAnUnpublishedTopic() {
    List<String> held = new ArrayList<>();
    boolean dropped = false;
    Iterator<String> it = unpublished.iterator();
    for (int looked = 0; !dropped && it.hasNext() && looked < UNPUBLISHED_SCAN; looked++) {
      String topic = it.next();
      it.remove();
      if (inUse.test(topic)) {
        held.add(topic);
      } else {
        topics.remove(topic);
        topicCount = topics.size();
        dropped = true;
      }
    }
    unpublished.addAll(held); // to the end: the next scan starts past them
    return dropped;
  }

  private TopicState state(String topic, TopicHistory history) {
    if (history == null) {
      return new TopicState(topic, 0, 1, epoch);
    }
    return new TopicState(topic, history.lastId(), history.oldestId(), history.epoch());
  }

  /** The topic's history, now touched, or null. */
  private TopicHistory touch(String topic, long nowMillis) {
    clock = Math.max(clock, nowMillis);
    TopicHistory history = topics.get(topic);
    if (history != null) {
      history.touched = clock;
      if (clock - history.ordered > orderStep && idleMillis > 0) {
        moveToEnd(history);
      }
    }
    return history;
  }

  private void moveToEnd(TopicHistory history) {
    topics.remove(history.topic());
    topics.put(history.topic(), history);
    history.touched = clock;
    history.ordered = clock;
  }

  /**
   * Drops the topic's history now (an administrator's delete), subscribed or not: its next event
   * starts a new one, of a new epoch, so every cursor of the old one gets a reset. Returns whether
   * it had events.
   */
  public boolean delete(String topic) {
    TopicHistory history = topics.remove(topic);
    if (history == null) {
      return false;
    }
    boolean published = named.contains(topic);
    forget(history);
    topicCount = topics.size();
    livesDiffer = true;
    return published;
  }

  /** What the store counts of a history it no longer holds. */
  private void forget(TopicHistory history) {
    named.remove(history.topic());
    unpublished.remove(history.topic());
    keptEvents -= history.size();
    keptBytes -= history.bytes();
    rememberingKeys.remove(history);
  }

  /**
   * A new, empty history. Without eviction (or a delete) a topic lives as long as the store and
   * shares its epoch; with it, each life gets the store's epoch plus a number, unique in the
   * store's life.
   */
  private TopicHistory start(String topic) {
    String life = idleMillis > 0 || livesDiffer ? epoch + "_" + Long.toString(++lives, 36) : epoch;
    TopicHistory history = new TopicHistory(topic, limits.forTopic(topic), life);
    history.touched = clock;
    history.ordered = clock;
    topics.put(topic, history);
    topicCount = topics.size();
    peakTopics = Math.max(peakTopics, topicCount);
    return history;
  }

  /** The topic's own bounds: age, the key window, then bytes (a full ring already dropped its oldest on append). */
  private void trim(TopicHistory history, long nowMillis) {
    Change change = new Change(history);
    HistoryLimits own = history.limits();
    if (own.maxAgeMillis() > 0) {
      history.dropOlderThan(nowMillis - own.maxAgeMillis());
    }
    history.forgetKeysBefore(nowMillis - own.keyWindowMillis());
    history.dropWhileOver(own.topicBytes(), 1);
    change.settle();
  }

  /**
   * The bound over all topics: the keys remembered of events that left go first, then the oldest
   * events of the topics first in the store's order (the least recently touched, when topics are
   * evicted); never the event just appended. Looks at a bounded number of topics per append, so a
   * store full of empty histories costs no more than that.
   */
  private void keepWithinTotal(TopicHistory appended) {
    Iterator<TopicHistory> remembering = rememberingKeys.iterator();
    for (int looked = 0; keptBytes > limits.totalBytes() && remembering.hasNext() && looked < TOTAL_SCAN; looked++) {
      TopicHistory history = remembering.next();
      long bytesBefore = history.bytes();
      history.dropWhileOver(bytesBefore - (keptBytes - limits.totalBytes()), Integer.MAX_VALUE); // keys alone
      keptBytes -= bytesBefore - history.bytes();
      if (!history.remembersKeys()) {
        remembering.remove();
      }
    }
    Iterator<TopicHistory> inOrder = topics.values().iterator();
    for (int looked = 0; keptBytes > limits.totalBytes() && inOrder.hasNext() && looked < TOTAL_SCAN; looked++) {
      TopicHistory history = inOrder.next();
      Change change = new Change(history);
      history.dropWhileOver(history.bytes() - (keptBytes - limits.totalBytes()), history == appended ? 1 : 0);
      change.settle();
    }
  }

  /** A history as it was before a change; {@link #settle} adds the change to the store's totals. */
  private final class Change {
    private final TopicHistory history;
    private final int size;
    private final long bytes;
    private final boolean remembering;

    Change(TopicHistory history) {
      this.history = history;
      this.size = history.size();
      this.bytes = history.bytes();
      this.remembering = history.remembersKeys();
    }

    void settle() {
      keptEvents += history.size() - size;
      keptBytes += history.bytes() - bytes;
      if (history.remembersKeys() != remembering) {
        if (remembering) {
          rememberingKeys.remove(history);
        } else {
          rememberingKeys.add(history);
        }
      }
    }
  }
}
