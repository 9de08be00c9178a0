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
