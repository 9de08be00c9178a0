package io.pushgateway.gateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.TestGateway;
import io.pushgateway.gateway.core.Event;
import io.pushgateway.gateway.core.EventLog;
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
 * Memory per topic, and that it comes back: live heap (the bytes of all live objects) before, with
 * 50,000 topics created by publishes of one small event each, and once they went idle and were
 * evicted. The publishes go to the log directly (what an HTTP publish does once checked): over
 * HTTP on a busy machine the first topics would go idle before the last were made. The figures
 * are logged; the test holds the heap after eviction to within 10% of where it started.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TopicMemoryTest {

  private static final System.Logger LOG = System.getLogger(TopicMemoryTest.class.getName());
  private static final int TOPICS = 50_000;
  private static final int IN_FLIGHT = 32;

  @Test
  void fiftyThousandIdleTopicsGiveTheirMemoryBack() throws Exception {
    try (TestGateway gateway = TestGateway.start(new JsonObject().put("topicIdleSeconds", 10))) {
      // the same paths once before the baseline, so it holds what they load too
      publishTopics(gateway, "warm", 2_000);
      awaitEvicted(gateway);
      long before = liveHeap();
      long directBefore = directMemory();

      publishTopics(gateway, "t", TOPICS);
      long with = liveHeap();
      long directWith = directMemory();
      assertThat(gateway.gateway.log().topicCount()).as("all topics still there when measured").isEqualTo(TOPICS);

      awaitEvicted(gateway);
      long after = liveHeap();
      LOG.log(System.Logger.Level.INFO, "live heap: {0} B before, {1} B with {2} topics ({3} B per topic, and {4} B"
          + " of direct memory), {5} B after eviction ({6}% of before)", before, with, TOPICS, (with - before) / TOPICS,
        (directWith - directBefore) / TOPICS, after, after * 100 / before);
      assertThat(with - before).as("memory held by the topics").isPositive();
      assertThat(after).as("live heap after eviction, started at " + before).isLessThanOrEqualTo(before + before / 10);
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
