package io.pushgateway.loadtest.target;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Live heap of a local JVM, through the JDK's {@code jcmd}: the total of {@code GC.class_histogram},
 * which collects first and counts only live objects; and a trim of its C heap before an RSS reading. (GC.heap_info's first "used" figure is the
 * young generation alone under SerialGC, which a JVM pinned to one core gets: nearly 0 after a
 * full GC.) RSS alone cannot tell per-connection memory: a JVM's RSS follows its heap sizing, not
 * what is live. Runs on the driver thread only; a missing jcmd simply gives no figure.
 */
public final class HeapProbe {
  private static final Pattern TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");

  private HeapProbe() {
  }

  public static OptionalLong liveHeapBytes(long pid) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (!jcmd.toFile().canExecute()) {
      return OptionalLong.empty();
    }
    try {
      String histogram = run(jcmd, pid, "GC.class_histogram");
      Matcher m = TOTAL.matcher(histogram);
      return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    } catch (IOException e) {
      return OptionalLong.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalLong.empty();
    }
  }

  /**
   * Gives the C heap's free pages back to the system ({@code System.trim_native_heap}, JDK 17.0.9 and
   * later), so that an RSS read next counts what the JVM holds, not what glibc kept after a burst of
   * {@code free}s (the gateway itself trims every 10 s: a reading either side of that moved by 10 MB).
   */
  public static void trimNativeHeap(long pid) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (!jcmd.toFile().canExecute()) {
      return;
    }
    try {
      run(jcmd, pid, "System.trim_native_heap");
    } catch (IOException e) {
      // no figure is lost: the RSS is read all the same
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String run(Path jcmd, long pid, String command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("jcmd " + command + " timed out");
    }
    return new String(out, StandardCharsets.UTF_8);
  }
}
