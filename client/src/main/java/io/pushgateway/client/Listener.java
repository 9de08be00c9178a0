package io.pushgateway.client;

/**
 * What the client tells the application, one call at a time, in order, on the client's own
 * thread (never an OkHttp thread): an Android app posts to its main thread from here. A listener
 * that throws does not stop the client.
 */
public interface Listener {

  /** A transport connected ({@code reconnected}: not the first time). */
  default void onOpen(Transport transport, boolean reconnected) {
  }

  /** Each event, once, in id order per topic. */
  default void onEvent(Event event) {
  }

  default void onReset(Reset reset) {
  }

  /**
   * A presence snapshot of {@code topic} arrived (with {@link PushClient.Builder#presence()}): on
   * joining, after each reconnect, in every poll answer that brings one.
   */
  default void onPresence(String topic, java.util.List<Member> members, Occupancy counts) {
  }

  /** A member joined {@code topic}; the same on every transport. */
  default void onJoin(String topic, Member member, Occupancy counts) {
  }

  /** A member left {@code topic}. */
  default void onLeave(String topic, Member member, Occupancy counts) {
  }

  /** The counts of a room too big to list moved. */
  default void onOccupancy(String topic, Occupancy counts) {
  }

  /** A connected transport broke; the client is reconnecting from its cursor. */
  default void onDisconnect(Transport transport, String reason) {
  }

  /** An attempt failed, or the gateway reported an error; the client goes on. */
  default void onError(String message) {
  }

  /** The token was refused and there is no token supplier: the client has closed. */
  default void onUnauthorized(String message) {
  }

  /** After {@link PushClient#close()}. */
  default void onClose() {
  }
}
