package io.pushgateway.gateway.metrics;

import io.pushgateway.gateway.core.Topics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * What one client puts on the wire, headers included, counted by the gateway: a page sees neither
 * the request headers its browser sends nor a WebSocket's frames and handshake, so only the server
 * can tell it what a transport costs. A client names a meter with {@code meter=KEY} on any request
 * (its WebSocket, its SSE stream, every poll and publish), and reads it back with
 * {@code GET /api/meters/KEY}.
 *
 * <p>Bounded like everything a client can make the gateway hold: at most {@code maxMeters} at once,
 * and a meter is dropped once it has had no connection for {@link #IDLE_NANOS}. Shared by every
 * server of the gateway; counted on their event loops.
 */
public final class WireMeters {

  /** A meter with no connection for this long is forgotten. */
  public static final long IDLE_NANOS = TimeUnit.MINUTES.toNanos(5);
  private static final int MIN_KEY = 8;
  private static final int MAX_KEY = 64;

  private final int max;
  private final LongSupplier nanoClock;
  private final Map<String, WireMeter> meters = new ConcurrentHashMap<>();

  public WireMeters(int max) {
    this(max, System::nanoTime);
  }

  WireMeters(int max, LongSupplier nanoClock) {
    this.max = max;
    this.nanoClock = nanoClock;
  }

  /** Whether {@code key} can name a meter: 8 to 64 of letters, digits, {@code -} and {@code _}. */
  public static boolean validKey(String key) {
    return key.length() >= MIN_KEY && Topics.isPlainWord(key, MAX_KEY);
  }

  /** The meter of this key, started if new; null when {@code maxMeters} are in use already. */
  public WireMeter open(String key) {
    WireMeter meter = meters.get(key);
    if (meter != null || meters.size() >= max) {
      return meter;
    }
    // Two racing opens of the same new key share the first one's meter.
    return meters.computeIfAbsent(key, k -> new WireMeter(nanoClock));
  }

  /** The meter of this key, or null. */
  public WireMeter find(String key) {
    return meters.get(key);
  }

  /** Forgets meters without a connection for {@link #IDLE_NANOS}; called now and then. */
  public void sweep() {
    long now = nanoClock.getAsLong();
    meters.values().removeIf(meter -> meter.idleSince(now) >= IDLE_NANOS);
  }

  /**
   * One client's counts. A connection holds it while it serves that client (a poll's request and
   * answer, a WebSocket or SSE stream for its life), so a meter in use is never forgotten.
   */
  public static final class WireMeter {
    private final LongAdder bytesUp = new LongAdder();
    private final LongAdder bytesDown = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final AtomicInteger held = new AtomicInteger();
    private final LongSupplier nanoClock;
    private volatile long releasedAt;

    private WireMeter(LongSupplier nanoClock) {
      this.nanoClock = nanoClock;
      this.releasedAt = nanoClock.getAsLong();
    }

    /** A request names this meter: what its connection read and wrote of it so far counts. */
    public void claim(long up, long down) {
      held.incrementAndGet();
      requests.increment();
      add(up, down);
    }

    public void add(long up, long down) {
      if (up > 0) {
        bytesUp.add(up);
      }
      if (down > 0) {
        bytesDown.add(down);
      }
    }

    /** The request's answer ended, or its connection closed. */
    public void release() {
      releasedAt = nanoClock.getAsLong();
      held.decrementAndGet();
    }

    public long bytesUp() {
      return bytesUp.sum();
    }

    public long bytesDown() {
      return bytesDown.sum();
    }

    /** Requests that named this meter, WebSocket handshakes included. */
    public long requests() {
      return requests.sum();
    }

    /** Requests and streams being served now. */
    public int open() {
      return held.get();
    }

    private long idleSince(long now) {
      return held.get() > 0 ? 0 : now - releasedAt;
    }
  }
}
