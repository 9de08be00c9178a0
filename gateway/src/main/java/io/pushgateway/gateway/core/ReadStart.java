package io.pushgateway.gateway.core;

/**
 * Where a read of one topic starts for a subscriber's position: the protocol's cursor rules
 * ("Epochs and cursors"), written once for every log. {@code after} is the id the read starts
 * after; {@code reset} says the position could not be honoured and the subscriber gets a reset
 * from the oldest kept event.
 */
public record ReadStart(long after, boolean reset) {

  /**
   * @param position the subscriber's position: null is "now"; a null epoch trusts the id; a
   *                 {@linkplain Position#rewind rewind} starts that many events before now
   * @param lastId   the topic's newest id (0: none yet)
   * @param oldestId the oldest id still kept ({@code lastId + 1} when none is)
   * @param epoch    the epoch of the topic's history
   */
  public static ReadStart of(Position position, long lastId, long oldestId, String epoch) {
    if (position == null) {
      return new ReadStart(lastId, false);
    }
    if (position.isRewind()) {
      return new ReadStart(Math.max(lastId + position.id(), oldestId - 1), false); // fewer kept: all of them
    }
    boolean sameHistory = position.epoch() == null || position.epoch().equals(epoch);
    if (sameHistory && position.id() == 0) {
      return new ReadStart(oldestId - 1, false); // "topic:0": everything still kept, by definition
    }
    if (!sameHistory || position.id() > lastId || position.id() < oldestId - 1) {
      return new ReadStart(oldestId - 1, true); // another history, a future id, or gone from it
    }
    return new ReadStart(position.id(), false);
  }

  /**
   * The same rules for a reader that wants each topic's newest event alone ({@code newestOnly}):
   * a position behind it in the same history, kept or not, starts just before it, with no reset;
   * another history still resets, for its ids start again.
   */
  public static ReadStart of(Position position, long lastId, long oldestId, String epoch, boolean newestOnly) {
    ReadStart start = of(position, lastId, oldestId, epoch);
    if (!newestOnly || position == null) {
      return start; // "now" stays now
    }
    long beforeNewest = Math.max(lastId - 1, oldestId - 1);
    boolean sameHistory = position.epoch() == null || position.epoch().equals(epoch);
    if (sameHistory && position.id() <= lastId) {
      return new ReadStart(Math.max(position.id(), beforeNewest), false);
    }
    return new ReadStart(beforeNewest, start.reset());
  }
}
