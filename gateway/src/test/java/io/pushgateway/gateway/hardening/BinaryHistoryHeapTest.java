package io.pushgateway.gateway.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.ProbeJvm;
import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 100 MB of binary published into one topic stays within the topic's history budget in heap
 * terms: 100 publishes of 1,000,000 bytes with {@code historyMaxBytes} at 32 MiB, over HTTP, in a
 * JVM of its own with a 512 MiB G1 heap (1 MiB regions). The heap in use after a full collection
 * is measured, which counts the whole regions G1 gives each event of half a region or more; the
 * budget counts them too ({@code HeapFootprint}), so the history stays within it, and a resumer
 * from the start gets a reset to the oldest event kept.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BinaryHistoryHeapTest {

  private static final System.Logger LOG = System.getLogger(BinaryHistoryHeapTest.class.getName());
  private static final long BUDGET = 32L * 1024 * 1024;
  private static final long REGION = 1024 * 1024;
  private static final Pattern RESULT = Pattern.compile("binary-history before=(\\d+) after=(\\d+) oldest=(\\d+) reset=(\\d+)");

  @Test
  void aHundredMegabytesIntoOneTopicStayWithinItsBudget() throws Exception {
    Matcher result = ProbeJvm.run(Probe.class, List.of("-Xmx512m", "-XX:+UseG1GC", "-XX:G1HeapRegionSize=1m"), RESULT);
    long before = Long.parseLong(result.group(1));
    long after = Long.parseLong(result.group(2));
    LOG.log(System.Logger.Level.INFO, "heap in use: {0} B before, {1} B after 100 MB into one topic ({2} B more; "
      + "budget {3} B); oldest id kept {4}", before, after, after - before, BUDGET, result.group(3));
    // the budget, plus what else the publishes left live: less than one region, so one event
    // counted short would fail (each takes two regions)
    assertThat(after - before).as("heap the topic's history holds").isLessThanOrEqualTo(BUDGET + REGION);
    assertThat(Long.parseLong(result.group(3))).as("the oldest events were dropped").isGreaterThan(50);
    assertThat(result.group(4)).as("a resumer from the start is reset to the oldest kept").isEqualTo(result.group(3));
  }

  /** The measurement, in a JVM of its own: prints one {@code binary-history …} line. */
  static final class Probe {

    public static void main(String[] args) throws Exception {
      try (TestGateway gateway = TestGateway.start(new JsonObject().put("historyMaxBytes", BUDGET))) {
        byte[] image = new byte[1_000_000];
        new Random(7).nextBytes(image);
        // the same path once before the baseline, so it holds what the path loads
        publish(gateway, "warm", image);
        long before = heapInUse();
        for (int i = 0; i < 100; i++) {
          publish(gateway, "album", image);
        }
        long after = heapInUse();
        JsonObject state = gateway.get("/api/topics/album").json();
        JsonObject answer = gateway.get("/poll?topics=album&limit=1&cursor=album:1:" + state.getString("epoch")).json();
        System.out.println("binary-history before=" + before + " after=" + after + " oldest=" + state.getLong("oldestId")
          + " reset=" + answer.getJsonArray("resets").getJsonObject(0).getLong("from"));
      }
      System.exit(0);
    }

    private static void publish(TestGateway gateway, String topic, byte[] bytes) throws Exception {
      TestGateway.Reply reply = gateway.request(HttpMethod.POST, "/api/topics/" + topic + "/events",
        Buffer.buffer(bytes), "application/octet-stream");
      if (reply.status() != 201) {
        throw new IllegalStateException("publish answered " + reply.status() + ": " + reply.body());
      }
    }

    /** Heap in use after full collections, once it stops shrinking: whole regions, humongous ones included. */
    private static long heapInUse() {
      long used = Long.MAX_VALUE;
      for (int i = 0; i < 5; i++) {
        ManagementFactory.getMemoryMXBean().gc();
        long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        if (now >= used - used / 200) {
          return Math.min(now, used);
        }
        used = now;
      }
      return used;
    }
  }
}
