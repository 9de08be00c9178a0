package io.pushgateway.loadtest.target;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Live heap of a local JVM, through the JDK's {@code jcmd}: the total of {@code GC.class_histogram},
 * which collects first and counts only live objects (GC.heap_info's first "used" figure is the
 * young generation alone under SerialGC, which a JVM pinned to one core gets: nearly 0 after a
 * full GC); and a trim of its C heap before an RSS reading. RSS alone cannot tell per-connection
 * memory: a JVM's RSS follows its heap sizing, not what is live. Runs on the driver thread only; a
 * missing jcmd simply gives no figure.
 */
public final class HeapProbe {
  private static final Pattern TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");

  private HeapProbe() {
  }

  public static OptionalLong liveHeapBytes(long pid) {
    return jcmd(pid, "GC.class_histogram")
      .map(TOTAL::matcher)
      .filter(Matcher::find)
      .map(m -> OptionalLong.of(Long.parseLong(m.group(1))))
      .orElse(OptionalLong.empty());
  }

  /**
   * Gives the C heap's free pages back to the system ({@code System.trim_native_heap}, JDK 17.0.9 and
   * later), so that an RSS read next counts what the JVM holds, not what glibc kept after a burst of
   * {@code free}s (the gateway itself trims every 10 s: a reading either side of that moved by 10 MB).
   * Without it the RSS is read all the same.
   */
  public static void trimNativeHeap(long pid) {
    jcmd(pid, "System.trim_native_heap");
  }

  /** What {@code jcmd pid command} printed; empty without a jcmd, or when it failed or took over 20 s. */
  private static Optional<String> jcmd(long pid, String command) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (!jcmd.toFile().canExecute()) {
      return Optional.empty();
    }
    try {
      Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.empty();
      }
      return Optional.of(new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
