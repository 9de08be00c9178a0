package io.pushgateway.gateway.core;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;

/**
 * Passes immutable objects between verticles of one process by reference: an event is encoded
 * once and the very same bytes reach every event loop. Never sent over a wire.
 */
public final class LocalCodec<T> implements MessageCodec<T, T> {

  private final String name;

  private LocalCodec(Class<T> type) {
    this.name = "push-gateway-local-" + type.getName();
  }

  /** Registers the codec as {@code type}'s default on this event bus, once. */
  public static <T> void register(EventBus eventBus, Class<T> type) {
    try {
      eventBus.registerDefaultCodec(type, new LocalCodec<>(type));
    } catch (IllegalStateException alreadyRegistered) {
      // another gateway in the same Vert.x instance registered it first: the same codec
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, T t) {
    throw new UnsupportedOperationException(name + " is local only");
  }

  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    throw new UnsupportedOperationException(name + " is local only");
  }

  @Override
  public T transform(T t) {
    return t;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
