package io.pushgateway.gateway.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A read's answer put together topic by topic, in the request's order and within its limit over
 * all topics: the one read assembly of every log. Each topic brings its state, where the cursor
 * rules start it ({@link ReadStart}) and its events after that.
 */
public final class ReadAssembly {

  /** A topic's kept events, as a log holds them. */
  public interface Events {
    /** Adds the events after id {@code after} to {@code out}, at most {@code max}; returns how many. */
    int copyAfter(long after, int max, List<Event> out);
  }

  private final List<Reset> resets = new ArrayList<>();
  private final List<Event> events = new ArrayList<>();
  private final Map<String, Position> after = new LinkedHashMap<>();
  private final Map<String, TopicState> states = new LinkedHashMap<>();
  private int room;
  private boolean more;

  public ReadAssembly(int limit) {
    this.room = limit;
  }

  /** The next topic of the request; {@code start} must come from the same state. */
  public void add(TopicState state, ReadStart start, Events kept) {
    String topic = state.topic();
    states.put(topic, state);
    if (start.reset()) {
      resets.add(new Reset(topic, state.oldestId(), state.epoch()));
    }
    int taken = room > 0 ? kept.copyAfter(start.after(), room, events) : 0;
    room -= taken;
    long end = start.after() + taken;
    more |= end < state.lastId();
    after.put(topic, new Position(end, state.epoch()));
  }

  public ReadResult result() {
    return new ReadResult(resets, events, Cursor.of(after), states, more);
  }
}
