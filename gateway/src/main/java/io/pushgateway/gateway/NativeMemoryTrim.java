package io.pushgateway.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Hands the C heap's free pages back to the operating system, now and then. The JVM's compilers
 * and class loading malloc and free a lot, most of it at start and while the JIT catches up with
 * new load, and glibc keeps what was freed: 14 MB of an idle gateway's resident memory, 20 MB
 * under load (docs/results/2026-12-05-native-memory.md). The JDK's own {@code
 * System.trim_native_heap} command does the trimming; it is called through the platform MBean
 * server, on a thread of its own, where the JDK has it and the JVM does not trim by itself
 * ({@code -XX:TrimNativeHeapInterval}).
 */
final class NativeMemoryTrim {

  private static final System.Logger LOG = System.getLogger(NativeMemoryTrim.class.getName());
  private static final String DIAGNOSTIC_COMMANDS = "com.sun.management:type=DiagnosticCommand";
  private static final String TRIM = "systemTrimNativeHeap";
  /**
   * What the command answers, e.g. {@code Trim native heap: RSS+Swap: 111M->110M (-1648K)}: the
   * change in parentheses, in the unit HotSpot picks for its size.
   */
  private static final Pattern TRIMMED = Pattern.compile("RSS\\+Swap: .*\\(([-+])(\\d+)([BKMG])\\)");

  private final MBeanServer server;
  private final ObjectName commands;

  private NativeMemoryTrim(MBeanServer server, ObjectName commands) {
    this.server = server;
    this.commands = commands;
  }

  /** The trim where this JVM offers it and does not already trim by itself. */
  static Optional<NativeMemoryTrim> available() {
    if (trimmedByTheJvm()) {
      return Optional.empty(); // asked first: the platform MBean server loads a few hundred classes
    }
    try {
      MBeanServer server = ManagementFactory.getPlatformMBeanServer();
      ObjectName commands = new ObjectName(DIAGNOSTIC_COMMANDS);
      boolean offered = Arrays.stream(server.getMBeanInfo(commands).getOperations())
        .anyMatch(operation -> operation.getName().equals(TRIM));
      return offered ? Optional.of(new NativeMemoryTrim(server, commands)) : Optional.empty();
    } catch (JMException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static boolean trimmedByTheJvm() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
      .anyMatch(argument -> argument.startsWith("-XX:TrimNativeHeapInterval=")
        && !argument.equals("-XX:TrimNativeHeapInterval=0"));
  }

  /**
   * Trims now and then every {@code intervalSeconds}, on a thread of its own: the trim walks
   * glibc's arenas, which takes one to a few milliseconds that no event loop should wait for.
   * Most is freed in the first seconds after the start, as the JIT finishes. A trim that fails
   * (a C library without {@code malloc_trim}) ends the schedule.
   */
  void schedule(Vertx vertx, int intervalSeconds) {
    // one thread: Vert.x's worker pool would start a new thread for each of its first 20 trims,
    // and every thread costs resident memory
    WorkerExecutor thread = vertx.createSharedWorkerExecutor("push-gateway-trim", 1);
    vertx.setPeriodic(0, intervalSeconds * 1000L, id -> {
      long start = System.nanoTime();
      trimNow(thread)
        .onSuccess(bytes -> LOG.log(Level.DEBUG, "native heap trimmed by {0} bytes in {1} µs", bytes,
          (System.nanoTime() - start) / 1000))
        .onFailure(e -> {
          LOG.log(Level.INFO, "the C heap cannot be trimmed here, not trying again: {0}", e.getMessage());
          vertx.cancelTimer(id);
          thread.close();
        });
    });
  }

  /** Trims once, blocking; the bytes of resident memory given back, as the JDK measured them. */
  long trim() throws JMException {
    Object answer = server.invoke(commands, TRIM, new Object[] {new String[0]}, new String[] {String[].class.getName()});
    Matcher matcher = TRIMMED.matcher(String.valueOf(answer));
    if (!matcher.find()) {
      throw new JMException("unexpected answer: " + answer);
    }
    long change = Long.parseLong(matcher.group(2)) << (10 * "BKMG".indexOf(matcher.group(3)));
    return matcher.group(1).equals("-") ? change : -change;
  }

  /** {@link #trim()} on {@code thread}. */
  Future<Long> trimNow(WorkerExecutor thread) {
    return thread.executeBlocking(this::trim, false);
  }
}
