package io.pushgateway.gateway.core;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The in-memory event log: topics, ids, bounded history, epochs and the cursor arithmetic.
 * Plain single-threaded logic with no I/O, so it is unit-tested directly; {@link LocalEventLog}
 * confines it to one event loop.
 */
public final class TopicStore {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, TopicHistory> topics = new HashMap<>();
  private final int historySize;
  private final long maxAgeMillis;
  private final String epoch;
  private long lastTs;
  /** Written only on the owning event loop, read by the metrics scrape: volatile, no lock. */
  private volatile long keptEvents;
  private volatile int topicCount;

  /**
   * @param maxAgeMillis 0 keeps events by count only
   * @param epoch        this history's name; a new store (a restart) must get a new one
   */
  public TopicStore(int historySize, long maxAgeMillis, String epoch) {
    this.historySize = historySize;
    this.maxAgeMillis = maxAgeMillis;
    this.epoch = epoch;
  }

  /** A short random epoch such as {@code k3x9q2}, so an old cursor is never taken for a new one. */
  public static String newEpoch() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      sb.append(Character.forDigit(RANDOM.nextInt(36), 36));
    }
    return sb.toString();
  }

  public String epoch() {
    return epoch;
  }

  /** Accepts an event: the next id of its topic, and a timestamp that never goes backwards. */
  public Event append(String topic, String dataJson, long nowMillis) {
    lastTs = Math.max(lastTs, nowMillis);
    TopicHistory history = topics.computeIfAbsent(topic, t -> new TopicHistory(t, historySize));
    topicCount = topics.size();
    int before = history.size();
    Event event = history.append(lastTs, epoch, dataJson);
    keptEvents += history.size() - before;
    trim(history, nowMillis);
    return event;
  }

  public ReadResult read(ReadRequest request, long nowMillis) {
    List<Reset> resets = new ArrayList<>();
    List<Event> events = new ArrayList<>();
    Map<String, Position> after = new LinkedHashMap<>();
    Map<String, TopicState> states = new LinkedHashMap<>();
    int room = request.limit();
    boolean more = false;
    for (String topic : request.topics()) {
      TopicHistory history = topics.get(topic);
      if (history != null) {
        trim(history, nowMillis);
      }
      TopicState state = state(topic, history);
      states.put(topic, state);
      long start = start(state, request.cursor().get(topic), resets);
      long end = start;
      if (history != null && room > 0) {
        int before = events.size();
        end = history.copyAfter(start, room, events);
        room -= events.size() - before;
      }
      more |= end < state.lastId();
      after.put(topic, new Position(end, epoch));
    }
    return new ReadResult(resets, events, Cursor.of(after), states, more);
  }

  public Optional<TopicState> state(String topic, long nowMillis) {
    TopicHistory history = topics.get(topic);
    if (history == null) {
      return Optional.empty();
    }
    trim(history, nowMillis);
    return Optional.of(state(topic, history));
  }

  /** Events kept over all topics (age-expired ones count until their topic is next touched). */
  public long keptEvents() {
    return keptEvents;
  }

  public int topicCount() {
    return topicCount;
  }

  public List<String> topicNames() {
    return topics.keySet().stream().sorted().toList();
  }

  /** The id a read starts after, adding a reset when the position cannot be honoured. */
  private static long start(TopicState state, Position position, List<Reset> resets) {
    if (position == null) {
      return state.lastId();
    }
    boolean sameHistory = position.epoch() == null || position.epoch().equals(state.epoch());
    if (sameHistory && position.id() == 0) {
      // "topic:0" asks for everything still kept: no reset, by definition.
      return state.oldestId() - 1;
    }
    if (!sameHistory || position.id() > state.lastId() || position.id() < state.oldestId() - 1) {
      resets.add(new Reset(state.topic(), state.oldestId(), state.epoch()));
      return state.oldestId() - 1;
    }
    return position.id();
  }

  private TopicState state(String topic, TopicHistory history) {
    if (history == null) {
      return new TopicState(topic, 0, 1, epoch);
    }
    return new TopicState(topic, history.lastId(), history.oldestId(), epoch);
  }

  private void trim(TopicHistory history, long nowMillis) {
    if (maxAgeMillis > 0) {
      int before = history.size();
      history.dropOlderThan(nowMillis - maxAgeMillis);
      keptEvents -= before - history.size();
    }
  }
}
