package io.pushgateway.loadtest.client;

import io.pushgateway.loadtest.stats.PublishSchedule;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.LongAdder;

/**
 * Publishes the run's events on the publisher's timetable, straight to the server (not through the
 * proxy: only subscriber traffic is counted). Each event's data is {@code {"seq":n,"t":<due time, ns
 * after the run's origin>,"p":"<payload>"}}, the payload made as {@link PayloadFill} says; publisher
 * and subscribers share this process's clock, so latency needs no clock sync. How an event reaches
 * the server is the subclass's: the gateway's WebSocket {@code publish} op
 * ({@link GatewayPublisher}) or a peer's own way ({@link NchanPublisher}).
 */
public abstract class Publisher {
  protected final Context context;
  protected final Vertx vertx;
  protected final Endpoint endpoint;
  protected final String topic;
  protected final PublishSchedule schedule;
  private final String[] payloads;
  /** Events due together may go in one publish of up to this many. */
  private final int batch;
  protected final Promise<Void> done = Promise.promise();
  protected final LongAdder acked = new LongAdder();
  protected final LongAdder rejected = new LongAdder();
  private long next;
  private long maxLagNanos;

  /** {@code context}: the event loop the publisher owns; its connection and timers live there. */
  protected Publisher(Context context, Endpoint endpoint, String topic, PublishSchedule schedule, int payloadBytes,
                      PayloadFill fill, int batch) {
    this.batch = batch;
    this.context = context;
    this.vertx = context.owner();
    this.endpoint = endpoint;
    this.topic = topic;
    this.schedule = schedule;
    this.payloads = fill.payloads(payloadBytes);
  }

  /** Opens the connection the events go over. */
  public abstract Future<Void> connect();

  /** Sends event {@code seq}, due {@code due} ns after the origin. */
  protected abstract void send(long seq, long due);

  /** Sends events {@code first ..} ({@code count} of them) due together; one by one unless overridden. */
  protected void sendBatch(long first, int count) {
    for (int i = 0; i < count; i++) {
      send(first + i, schedule.dueOffsetNanos(first + i));
    }
  }

  public abstract Future<Void> close();

  /** Runs the timetable on the publisher's event loop; completes after the last event is sent. */
  public Future<Void> start() {
    // the connection's own event loop: writes need no hop to another thread
    context.runOnContext(v -> tick());
    return done.future();
  }

  private void tick() {
    if (done.future().isComplete()) {
      return;
    }
    long now = System.nanoTime();
    long total = schedule.totalEvents();
    while (next < total && isDue(next, now)) {
      int count = 1;
      while (count < batch && next + count < total && isDue(next + count, now)) {
        count++;
      }
      for (int i = 0; i < count; i++) {
        maxLagNanos = Math.max(maxLagNanos, now - schedule.originNanos() - schedule.dueOffsetNanos(next + i));
      }
      if (count == 1) {
        send(next, schedule.dueOffsetNanos(next));
      } else {
        sendBatch(next, count);
      }
      next += count;
    }
    if (next >= total) {
      done.tryComplete();
      return;
    }
    long wait = schedule.originNanos() + schedule.dueOffsetNanos(next) - System.nanoTime();
    vertx.setTimer(Math.max(1, wait / 1_000_000L), id -> tick());
  }

  /** An event's data: {@code {"seq":n,"t":<due>,"p":"<payload>"}}. */
  protected String data(long seq, long due) {
    return "{\"seq\":" + seq + ",\"t\":" + due + ",\"p\":\"" + payloads[(int) (seq % payloads.length)] + "\"}";
  }

  private boolean isDue(long seq, long now) {
    return schedule.originNanos() + schedule.dueOffsetNanos(seq) <= now;
  }

  public long sent() {
    return next;
  }

  public long acked() {
    return acked.sum();
  }

  public long rejected() {
    return rejected.sum();
  }

  /** How far behind its timetable the publisher fell at worst, in ms: its own health check. */
  public double maxLagMs() {
    return maxLagNanos / 1e6;
  }
}
