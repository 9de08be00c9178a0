package io.pushgateway.gateway.wire;

/**
 * How a connection spells an event, as one int so a delivery allocates nothing: {@link #FULL},
 * v1's {@code {"topic":…,"id":…,"ts":…,"data":…}}, or a compact array (docs/PROTOCOL.md,
 * "Compact format"): {@code [alias,data]} when the client can derive the id (the previous one + 1),
 * {@code [alias,data,id]} when it cannot, {@code [alias,data,id,ts]} when it asked for timestamps.
 * A binary event is spelled in full either way: its content type has no place in the array.
 * On SSE, whose {@code id:} line carries the ids, a subscription to one topic gets {@link #BARE}.
 */
public final class Spelling {

  /** v1's JSON object. */
  public static final int FULL = -1;

  /** The compact format's data alone: the id line and the subscription's one topic say the rest. */
  public static final int BARE = -2;

  private static final int WITH_ID = 1;
  private static final int WITH_TS = 3;

  private Spelling() {
  }

  /** The compact array for the topic the subscription calls {@code alias}. */
  public static int compact(int alias, boolean withId, boolean withTs) {
    return alias << 2 | (withTs ? WITH_TS : withId ? WITH_ID : 0);
  }

  static boolean isCompact(int spelling) {
    return spelling != FULL;
  }

  static int alias(int spelling) {
    return spelling >>> 2;
  }

  static boolean withId(int spelling) {
    return (spelling & WITH_ID) != 0;
  }

  static boolean withTs(int spelling) {
    return (spelling & WITH_TS) == WITH_TS;
  }
}
