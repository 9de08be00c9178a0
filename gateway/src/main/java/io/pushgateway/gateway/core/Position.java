package io.pushgateway.gateway.core;

/**
 * Where a subscriber stands in one topic: it has everything up to and including {@code id} of
 * the history named {@code epoch}. A null epoch means "trust the id" (clients may omit it).
 *
 * <p>A negative id is a {@linkplain #rewind rewind}: not a place in any history but "the newest
 * {@code -id} events kept". Only a subscription's {@code rewind} makes one, the first read
 * resolves it ({@link ReadStart}), and no cursor handed out ever holds one.
 */
public record Position(long id, String epoch) {

  /** The newest {@code events} events kept, however many that is now. */
  public static Position rewind(int events) {
    return new Position(-(long) events, null);
  }

  public boolean isRewind() {
    return id < 0;
  }

  /** What a live event is to a subscriber at a position: the one rule of live delivery. */
  public enum Step {
    /** Of the same history and not past the position: delivered already (from history, or another loop). */
    SEEN,
    /** Exactly the next id of the same history: deliver it, no need to ask the log. */
    NEXT,
    /** Anything else (a gap, another epoch, no known position): read the log. */
    GAP
  }

  /** Where {@code event} stands for a subscriber at {@code position} (null: no position known). */
  public static Step step(Position position, Event event) {
    if (position == null || !event.epoch().equals(position.epoch())) {
      return Step.GAP;
    }
    if (event.id() <= position.id()) {
      return Step.SEEN;
    }
    return event.id() == position.id() + 1 ? Step.NEXT : Step.GAP;
  }

  /**
   * Whether {@code event} is of the position's history and past it, gap or not: what a conflating
   * subscriber takes, skipping by choice.
   */
  public static boolean ahead(Position position, Event event) {
    return position != null && event.epoch().equals(position.epoch()) && event.id() > position.id();
  }

  /** The cursor entry {@code topic:id:epoch} (or {@code topic:id} without an epoch). */
  public String entry(String topic) {
    return epoch == null ? topic + ":" + id : topic + ":" + id + ":" + epoch;
  }
}
