package io.pushgateway.gateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.EventLog;
import io.pushgateway.gateway.testing.ProbeJvm;
import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Memory per topic, and that it comes back: live heap (the bytes of all live objects) before,
 * with 50,000 topics created by publishes of one small event each, and once they went idle and
 * were evicted. Measured by {@link Probe} in a JVM of its own, so no other test's leftovers
 * move the figures. The publishes go to the log directly (what an HTTP publish does once
 * checked): over HTTP on a busy machine the first topics would go idle before the last were
 * made. The figures are logged; the test holds the heap after eviction to within 10% of where
 * it started.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class TopicMemoryTest {

  private static final System.Logger LOG = System.getLogger(TopicMemoryTest.class.getName());
  private static final int TOPICS = 50_000;
  private static final int IN_FLIGHT = 32;
  private static final Pattern RESULT =
    Pattern.compile("topic-memory before=(\\d+) with=(\\d+) direct=(\\d+) after=(\\d+)");

  @Test
  void fiftyThousandIdleTopicsGiveTheirMemoryBack() throws Exception {
    Matcher result = ProbeJvm.run(Probe.class, List.of("-Xmx512m"), RESULT);
    long before = Long.parseLong(result.group(1));
    long with = Long.parseLong(result.group(2));
    long direct = Long.parseLong(result.group(3));
    long after = Long.parseLong(result.group(4));
    LOG.log(System.Logger.Level.INFO, "live heap: {0} B before, {1} B with {2} topics ({3} B per topic, and {4} B"
        + " of direct memory), {5} B after eviction ({6}% of before)", before, with, TOPICS, (with - before) / TOPICS,
      direct / TOPICS, after, after * 100 / before);
    assertThat(with - before).as("memory held by the topics").isPositive();
    assertThat(after).as("live heap after eviction, started at " + before).isLessThanOrEqualTo(before + before / 10);
  }

  /** The measurement, in a JVM of its own: prints one {@code topic-memory …} line. */
  static final class Probe {

    public static void main(String[] args) throws Exception {
      try (TestGateway gateway = TestGateway.start(new JsonObject().put("topicIdleSeconds", 10))) {
        // the same paths once before the baseline, so it holds what they load too
        publishTopics(gateway, "warm", 2_000);
        awaitEvicted(gateway);
        long directBuffersBefore = awaitDirectBuffersFreed(gateway, Long.MAX_VALUE);
        long before = liveHeap();
        long directBefore = directMemory();

        publishTopics(gateway, "t", TOPICS);
        long with = liveHeap();
        long directWith = directMemory();
        if (gateway.gateway.log().topicCount() != TOPICS) {
          throw new IllegalStateException("topics went before they were measured: raise topicIdleSeconds");
        }

        awaitEvicted(gateway);
        awaitDirectBuffersFreed(gateway, directBuffersBefore);
        long after = liveHeap();
        System.out.println("topic-memory before=" + before + " with=" + with + " direct=" + (directWith - directBefore)
          + " after=" + after);
      }
      System.exit(0);
    }
  }

  /** One event each to {@code count} new topics, {@value #IN_FLIGHT} at a time. */
  private static void publishTopics(TestGateway gateway, String prefix, int count) throws Exception {
    EventLog log = gateway.gateway.log();
    for (int start = 0; start < count; start += IN_FLIGHT) {
      List<Future<Event>> batch = new ArrayList<>();
      for (int i = start; i < Math.min(count, start + IN_FLIGHT); i++) {
        batch.add(log.append(prefix + i, "{\"n\":" + i + "}"));
      }
      Future.all(batch).await(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Collects until the direct buffers of dropped events are freed (at most {@code expected} left,
   * or no fewer than at the last look): their cleaners, run by the JVM's reference handler, are
   * live objects until then, and would be counted.
   */
  private static long awaitDirectBuffersFreed(TestGateway gateway, long expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    long last = Long.MAX_VALUE;
    while (System.nanoTime() < deadline) {
      histogramTotal(); // a full collection
      gateway.vertx.timer(200).await(1, TimeUnit.SECONDS);
      long now = directBuffers();
      if (now <= expected || (expected == Long.MAX_VALUE && now >= last)) {
        return now;
      }
      last = now;
    }
    throw new IllegalStateException("direct buffers not freed within 30 s");
  }

  private static long directBuffers() {
    return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
      .filter(pool -> pool.getName().equals("direct"))
      .mapToLong(BufferPoolMXBean::getCount)
      .sum();
  }

  private static long directMemory() {
    return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
      .filter(pool -> pool.getName().equals("direct"))
      .mapToLong(BufferPoolMXBean::getMemoryUsed)
      .sum();
  }

  private static void awaitEvicted(TestGateway gateway) throws Exception {
    // the idle time, then the sweep: longer than Eventually's deadline, so a bounded wait of its own
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    while (gateway.gateway.log().topicCount() > 0 && System.nanoTime() < deadline) {
      gateway.vertx.timer(100).await(1, TimeUnit.SECONDS);
    }
    assertThat(gateway.gateway.log().topicCount()).isZero();
    assertThat(gateway.get("/api/topics").json().getJsonArray("topics")).isEmpty();
  }

  /**
   * The bytes of all live objects, from the JVM's class histogram (what {@code jcmd <pid>
   * GC.class_histogram} prints; it runs a full collection first), once it stops shrinking: the
   * cleaners of collected direct buffers live until the next collection. Heap "used" after a
   * collection would also count the unused rest of partly filled regions.
   */
  private static long liveHeap() throws Exception {
    long live = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      long now = histogramTotal();
      if (now >= live - live / 200) {
        return Math.min(now, live);
      }
      live = now;
    }
    return live;
  }

  private static long histogramTotal() throws Exception {
    String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
      new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
      new Object[] {new String[0]}, new String[] {String[].class.getName()});
    Matcher total = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$").matcher(histogram);
    assertThat(total.find()).as("the histogram's total line").isTrue();
    return Long.parseLong(total.group(1));
  }
}
