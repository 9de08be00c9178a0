package io.pushgateway.gateway.wire;

/**
 * How a connection spells an event, as one int so a delivery allocates nothing: {@link #FULL},
 * v1's {@code {"topic":…,"id":…,"ts":…,"data":…}}, or a compact array (docs/PROTOCOL.md,
 * "Compact format"): {@code [alias,data]} when the client can derive the id (the previous one + 1),
 * {@code [alias,data,id]} when it cannot, {@code [alias,data,id,ts]} when it asked for timestamps.
 * A binary event is spelled in full either way: its content type has no place in the array.
 * On SSE, whose {@code id:} line carries the ids, a subscription to one topic gets {@link #BARE}.
 *
 * <p>Each has a {@link #patched} twin for a subscriber of deltas that holds the topic's previous
 * event (docs/PROTOCOL.md, "Deltas"): the data replaced by a merge patch from the previous data,
 * under {@code "patch"} in v1's object, after the alias's complement ({@code ~alias}, negative) in
 * the array, as an SSE event of type {@code patch} when bare.
 */
public final class Spelling {

  /** v1's JSON object. */
  public static final int FULL = -1;

  /** The compact format's data alone: the id line and the subscription's one topic say the rest. */
  public static final int BARE = -2;

  private static final int FULL_PATCH = -3;
  private static final int BARE_PATCH = -4;

  private static final int WITH_ID = 1;
  private static final int WITH_TS = 3;
  private static final int PATCH = 4;
  private static final int FLAG_BITS = 3;

  private Spelling() {
  }

  /** The compact array for the topic the subscription calls {@code alias}. */
  public static int compact(int alias, boolean withId, boolean withTs) {
    return alias << FLAG_BITS | (withTs ? WITH_TS : withId ? WITH_ID : 0);
  }

  /** The same spelling with a patch in place of the data. */
  public static int patched(int spelling) {
    return switch (spelling) {
      case FULL -> FULL_PATCH;
      case BARE -> BARE_PATCH;
      default -> spelling < 0 ? spelling : spelling | PATCH;
    };
  }

  static boolean isPatch(int spelling) {
    return spelling == FULL_PATCH || spelling == BARE_PATCH || spelling >= 0 && (spelling & PATCH) != 0;
  }

  static boolean isCompact(int spelling) {
    return spelling != FULL && spelling != FULL_PATCH;
  }

  static boolean isBare(int spelling) {
    return spelling == BARE || spelling == BARE_PATCH;
  }

  static int alias(int spelling) {
    return spelling >>> FLAG_BITS;
  }

  static boolean withId(int spelling) {
    return (spelling & WITH_ID) != 0;
  }

  static boolean withTs(int spelling) {
    return (spelling & WITH_TS) == WITH_TS;
  }
}
