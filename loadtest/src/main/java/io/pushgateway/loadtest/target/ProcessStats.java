package io.pushgateway.loadtest.target;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * CPU and memory of processes, read from Linux's /proc (proc(5)). CPU times there are in clock
 * ticks, 100 per second on Linux for x86 and arm64 (USER_HZ), so gateway CPU has 10 ms resolution;
 * over a window of seconds that is well under one percent.
 */
public final class ProcessStats {
  private static final long TICK_MS = 10;
  private static final Pattern COMPILER_THREAD = Pattern.compile("C[12] CompilerThre");

  private ProcessStats() {
  }

  /** utime + stime of a process in ms, empty if it is not readable (not Linux, gone, not ours). */
  public static OptionalLong cpuMillis(long pid) {
    try {
      return OptionalLong.of(cpuTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat"))) * TICK_MS);
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * CPU of a process and all its descendants in ms (a server of several processes, such as nginx's
   * master and workers, as one); empty if the process itself is not readable.
   */
  public static OptionalLong treeCpuMillis(long pid) {
    return sumOverTree(pid, ProcessStats::cpuMillis);
  }

  /** Resident set size of a process and all its descendants, in bytes; empty if the process is not readable. */
  public static OptionalLong treeRssBytes(long pid) {
    return sumOverTree(pid, ProcessStats::rssBytes);
  }

  private static OptionalLong sumOverTree(long pid, java.util.function.LongFunction<OptionalLong> reading) {
    OptionalLong root = reading.apply(pid);
    if (root.isEmpty()) {
      return root;
    }
    long sum = root.getAsLong();
    List<Long> children = ProcessHandle.of(pid).map(h -> h.descendants().map(ProcessHandle::pid).toList())
      .orElse(List.of());
    for (long child : children) {
      sum += reading.apply(child).orElse(0);
    }
    return OptionalLong.of(sum);
  }

  /**
   * CPU of a JVM's JIT compiler threads (named {@code C1/C2 CompilerThread…}; Linux keeps the first
   * 15 characters) in ms, empty if not readable. A JVM started for a run is still compiling its
   * hot paths during the run; this part of its CPU is start-up cost, not the cost of a delivery.
   */
  public static OptionalLong compilerCpuMillis(long pid) {
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      long ticks = 0;
      for (Path task : tasks.toList()) {
        String stat = readOrEmpty(task.resolve("stat"));
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open >= 0 && close > open && COMPILER_THREAD.matcher(stat.substring(open + 1, close)).lookingAt()) {
          ticks += cpuTicks(stat);
        }
      }
      return OptionalLong.of(ticks * TICK_MS);
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  /** utime + stime, in clock ticks, of a process's or thread's {@code stat} line. */
  private static long cpuTicks(String stat) {
    // the command name in parentheses may contain spaces: fields are counted after the last ')'
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /** A thread may end between listing and reading: it then counts as nothing. */
  private static String readOrEmpty(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "";
    }
  }

  /** Resident set size in bytes (VmRSS), empty if not readable. */
  public static OptionalLong rssBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
        }
      }
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
    return OptionalLong.empty();
  }

  /** This JVM's CPU time in ms (nanosecond clock, so finer than /proc). */
  public static long selfCpuMillis() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime() / 1_000_000;
    }
    return cpuMillis(ProcessHandle.current().pid()).orElse(0);
  }

  /** Busy CPU of the whole machine in ms (all cores, /proc/stat, idle and iowait excluded). */
  public static OptionalLong machineBusyMillis() {
    try {
      String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = first.trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        if (i != 4 && i != 5) {
          busy += Long.parseLong(f[i]);
        }
      }
      return OptionalLong.of(busy * TICK_MS);
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }
}
