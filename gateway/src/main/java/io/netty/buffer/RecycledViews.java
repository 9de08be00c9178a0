package io.netty.buffer;

/**
 * Retained views of a shared buffer that Netty recycles once released, so writing an event to a
 * connection allocates nothing. Netty hands these out for its pooled buffers only, through a
 * package-private factory; an event's bytes are not pooled (the gateway's {@code Event} says why),
 * so this class sits in Netty's package to reach the same factory. Recycling happens on Netty's
 * own threads (the event loops); elsewhere a view is an ordinary object.
 */
public final class RecycledViews {
  private RecycledViews() {
  }

  /** A view of {@code shared}'s readable bytes with its own indexes, holding one reference to it. */
  public static ByteBuf retainedDuplicate(ByteBuf shared) {
    if (!(shared instanceof AbstractByteBuf root)) {
      return shared.retainedDuplicate();
    }
    return PooledDuplicatedByteBuf.newInstance(root, root, root.readerIndex(), root.writerIndex());
  }
}
