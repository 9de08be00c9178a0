package io.pushgateway.loadtest;

import io.pushgateway.loadtest.stats.Percentiles;
import java.io.PrintStream;
import java.util.Collection;
import java.util.Locale;

/**
 * The live line while a run goes: phase, time, and per transport the deliveries per second and the
 * p99 since the line before, and the integrity counts. On a terminal it rewrites one line every
 * second; in a log it prints a line every few seconds instead, whose figures cover those seconds,
 * so that a slow second between two lines still shows.
 */
final class Progress {
  private static final long LOG_EVERY_NANOS = 5_000_000_000L;

  private final PrintStream out;
  private final boolean terminal = System.console() != null;
  private final String label;
  private long lastShown;
  private long[] lastDeliveries;

  Progress(PrintStream out, String label) {
    this.out = out;
    this.label = label;
  }

  void update(String phase, double seconds, double total, Collection<TransportLoad> loads) {
    long now = System.nanoTime();
    loads.forEach(l -> l.stats.collect());
    if (!terminal && now - lastShown < LOG_EVERY_NANOS) {
      return;
    }
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%s %-7s %5.1f/%.0fs", label, phase, seconds, total));
    long[] deliveries = loads.stream().mapToLong(l -> l.stats.deliveries()).toArray();
    int i = 0;
    for (TransportLoad l : loads) {
      double rate = lastDeliveries == null ? 0 : (deliveries[i] - lastDeliveries[i]) / ((now - lastShown) / 1e9);
      Percentiles p = l.stats.takeSpanLatency();
      sb.append(String.format(Locale.ROOT, " | %s %,.0f/s p99 %s dup %d ooo %d err %d",
        l.transport.wireName(), rate, Double.isNaN(p.p99()) ? "-" : p.p99() + "ms", l.stats.duplicates(),
        l.stats.outOfOrder(), l.stats.errors.sum()));
      i++;
    }
    lastDeliveries = deliveries;
    lastShown = now;
    if (terminal) {
      out.print("\r" + sb + "   ");
      out.flush();
    } else {
      out.println(sb);
    }
  }

  void done() {
    if (terminal) {
      out.println();
    }
  }
}
