package io.pushgateway.gateway.transport;

import io.netty.channel.EventLoop;
import io.netty.channel.SingleThreadEventLoop;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.util.ArrayList;
import java.util.List;

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
  private boolean scheduled;

  /**
   * True while the loop is busy: more tasks queued (events still to fan out, say) or flushes
   * already deferred in this turn. An idle loop flushes each write at once, in the same pass
   * over the connections, rather than coming back to every one of them.
   */
  boolean deferring(ChannelOutput output) {
    return scheduled || output.eventLoop() instanceof SingleThreadEventExecutor loop && loop.pendingTasks() > 0;
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
