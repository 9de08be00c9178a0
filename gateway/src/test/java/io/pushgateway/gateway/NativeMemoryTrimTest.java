package io.pushgateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pushgateway.gateway.testing.ProbeJvm;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import sun.misc.Unsafe;

/**
 * The command's trim of the C heap ({@code trimNativeMemorySeconds}): pages the JVM freed go back
 * to the system, on a worker thread; a JVM that trims by itself is left to it.
 */
class NativeMemoryTrimTest {

  private static final int BLOCKS = 512;
  /** Below glibc's mmap threshold (128 KB), so the blocks come from an arena, as the JIT's do. */
  private static final int BLOCK_BYTES = 64 * 1024;

  @Test
  void freedCHeapPagesGoBackToTheSystem() throws Exception {
    NativeMemoryTrim trim = trimOfThisJvm();
    Vertx vertx = Vertx.vertx();
    try {
      WorkerExecutor thread = vertx.createSharedWorkerExecutor("trim", 1);
      trim.trimNow(thread).await(10, TimeUnit.SECONDS);
      long freed = mallocTouchAndFreeAllButTheLast();

      long trimmed = trim.trimNow(thread).await(10, TimeUnit.SECONDS);

      // the JDK measures the whole process's RSS before and after: other threads may move it a little
      assertThat(trimmed).isGreaterThan(freed / 2);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aJvmThatTrimsByItselfIsLeftToIt() throws Exception {
    trimOfThisJvm();
    Pattern result = Pattern.compile("available=(\\w+)");

    assertThat(ProbeJvm.run(Probe.class, List.of(), result).group(1)).isEqualTo("true");
    assertThat(ProbeJvm.run(Probe.class, List.of("-XX:TrimNativeHeapInterval=5000"), result).group(1))
      .isEqualTo("false");
  }

  private static NativeMemoryTrim trimOfThisJvm() {
    NativeMemoryTrim trim = NativeMemoryTrim.available().orElse(null);
    assumeTrue(trim != null, "this JDK cannot trim its C heap (System.trim_native_heap: JDK 17.0.9 and later, glibc)");
    return trim;
  }

  /**
   * Leaves {@code BLOCKS - 1} free blocks in the middle of an arena, resident: glibc gives back
   * only the free space at an arena's top by itself, and the last block keeps this in the middle.
   */
  private static long mallocTouchAndFreeAllButTheLast() throws ReflectiveOperationException {
    Field field = Unsafe.class.getDeclaredField("theUnsafe");
    field.setAccessible(true);
    Unsafe unsafe = (Unsafe) field.get(null);
    long[] blocks = new long[BLOCKS];
    for (int i = 0; i < BLOCKS; i++) {
      blocks[i] = unsafe.allocateMemory(BLOCK_BYTES);
      unsafe.setMemory(blocks[i], BLOCK_BYTES, (byte) 1);
    }
    for (int i = 0; i < BLOCKS - 1; i++) {
      unsafe.freeMemory(blocks[i]);
    }
    return (long) (BLOCKS - 1) * BLOCK_BYTES;
  }

  /** Says whether its JVM would be trimmed by the gateway. */
  public static final class Probe {
    public static void main(String[] args) {
      System.out.println("available=" + NativeMemoryTrim.available().isPresent());
    }
  }
}
