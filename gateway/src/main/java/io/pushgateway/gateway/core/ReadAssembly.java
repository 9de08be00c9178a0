package io.pushgateway.gateway.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A read's answer put together topic by topic, in the request's order and within its limits over
 * all topics (events and bytes, see {@link ReadRequest}): the one read assembly of every log. Each topic brings its state, where the cursor
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
  private long bytesLeft;
  private boolean more;

  public ReadAssembly(ReadRequest request) {
    this.room = request.limit();
    this.bytesLeft = request.maxBytes();
  }

  /** The next topic of the request; {@code start} must come from the same state. */
  public void add(TopicState state, ReadStart start, Events kept) {
    String topic = state.topic();
    states.put(topic, state);
    if (start.reset()) {
      resets.add(new Reset(topic, state.oldestId(), state.epoch()));
    }
    int taken = room > 0 && bytesLeft > 0 ? withinBytes(kept.copyAfter(start.after(), room, events)) : 0;
    room -= taken;
    long end = start.after() + taken;
    more |= end < state.lastId();
    after.put(topic, new Position(end, state.epoch()));
  }

  /**
   * Of the {@code taken} events just added, how many stay within the bytes left (the answer's
   * first event stays whatever its size); the rest are dropped, and so are later topics' events.
   */
  private int withinBytes(int taken) {
    int first = events.size() - taken;
    for (int i = first; i < events.size(); i++) {
      bytesLeft -= events.get(i).jsonLength();
      if (bytesLeft < 0 && i > 0) {
        events.subList(i, events.size()).clear();
        return i - first;
      }
    }
    return taken;
  }

  public ReadResult result() {
    return new ReadResult(resets, events, Cursor.of(after), states, more);
  }
}
