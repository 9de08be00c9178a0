package io.pushgateway.gateway.transport.netty;

import io.netty.channel.EventLoop;
import io.netty.channel.SingleThreadEventLoop;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The connections of one event loop that have frames written but not flushed. They are flushed
 * after the loop has run its queued tasks: under load, the fan-out of every event that arrived
 * in that turn is then on its way in one system call per connection.
 */
public final class FlushQueue {

  private List<ChannelOutput> pending = new ArrayList<>();
  /** The other list: a flush may let a stream write again, which starts the next turn's list. */
  private List<ChannelOutput> flushing = new ArrayList<>();
  private final Runnable flushAll = this::flushAll;
  private final BooleanSupplier moreEventsQueued;
  private boolean scheduled;

  /** {@code moreEventsQueued}: whether this loop has events published but not yet fanned out. */
  public FlushQueue(BooleanSupplier moreEventsQueued) {
    this.moreEventsQueued = moreEventsQueued;
  }

  /**
   * True while more events wait in this loop's queue (or flushes were already deferred in this
   * turn): their writes then share the flush. Otherwise each write is flushed at once, in the same
   * pass over the connections, rather than coming back to every one of them; other queued tasks
   * (a publisher's ack, say) are no reason to wait.
   */
  boolean deferring(ChannelOutput output) {
    return scheduled || moreEventsQueued.getAsBoolean()
      && output.eventLoop() instanceof SingleThreadEventExecutor loop && loop.pendingTasks() > 0;
  }

  void add(ChannelOutput output) {
    pending.add(output);
    if (!scheduled) {
      scheduled = true;
      schedule(output);
    }
  }

  private void schedule(ChannelOutput output) {
    EventLoop loop = output.eventLoop();
    if (loop instanceof SingleThreadEventLoop turns) {
      turns.executeAfterEventLoopIteration(flushAll);
    } else {
      loop.execute(flushAll);
    }
  }

  private void flushAll() {
    scheduled = false;
    List<ChannelOutput> batch = pending;
    pending = flushing;
    flushing = batch;
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).flush();
    }
    batch.clear();
  }
}
