// What conflation saves a subscriber that only wants the newest values: for each transport, one
// subscriber that takes every event and one that conflates, side by side on the same topic, while
// a publisher sends a steady rate of small events. Each subscriber has its own wire meter, so the
// figures are the gateway's count of the bytes and requests on its connection, headers included.
// Prints one JSON line per subscriber, then a Markdown table. Runs from the load-test jar, which
// holds the client:
//
//   java -cp loadtest/target/push-loadtest.jar loadtest/scripts/ConflationCost.java \
//        --url http://127.0.0.1:8080 [--rate 50] [--payload 128] [--window 1000] [--seconds 20] \
//        [--warmup 5] [--transports ws,sse,long,short]
//
// "age" is how old the newest value was when it arrived (arrival minus the event's ts): what a
// conflating subscriber gives up for its bytes.

import io.pushgateway.client.Event;
import io.pushgateway.client.Listener;
import io.pushgateway.client.PushClient;
import io.pushgateway.client.Transport;
import io.pushgateway.client.WireMeter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

public class ConflationCost {

  /** One subscriber: what it received, and its meter at the window's start. */
  static final class Subscriber implements Listener {
    final Transport transport;
    final long window;
    final PushClient client;
    final CountDownLatch open = new CountDownLatch(1);
    final AtomicLong events = new AtomicLong();
    final List<Long> ages = Collections.synchronizedList(new ArrayList<>());
    volatile boolean measuring;
    WireMeter start;

    Subscriber(String url, String topic, Transport transport, long window, String meter) {
      this.transport = transport;
      this.window = window;
      this.client = PushClient.builder(url).topics(topic).transport(transport).conflate(Duration.ofMillis(window))
        .meter(meter).listener(this).build();
    }

    @Override
    public void onOpen(Transport opened, boolean reconnected) {
      open.countDown();
    }

    @Override
    public void onEvent(Event event) {
      if (measuring) {
        events.incrementAndGet();
        ages.add(System.currentTimeMillis() - event.ts());
      }
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    String url = opts.getOrDefault("url", "http://127.0.0.1:8080");
    int rate = Integer.parseInt(opts.getOrDefault("rate", "50"));
    int payload = Integer.parseInt(opts.getOrDefault("payload", "128"));
    long window = Long.parseLong(opts.getOrDefault("window", "1000"));
    int seconds = Integer.parseInt(opts.getOrDefault("seconds", "20"));
    int warmup = Integer.parseInt(opts.getOrDefault("warmup", "5"));
    String topic = "conflation-cost-" + Long.toString(System.nanoTime(), 36);
    String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);

    List<Subscriber> subscribers = new ArrayList<>();
    for (String label : opts.getOrDefault("transports", "ws,sse,long,short").split(",")) {
      Transport transport = Transport.valueOf(label.trim().toUpperCase());
      for (long w : new long[] {0, window}) {
        subscribers.add(new Subscriber(url, topic, transport, w, "cost-" + run + "-" + label.trim() + "-" + w));
      }
    }
    for (Subscriber s : subscribers) {
      s.client.connect();
      if (!s.open.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException(s.transport + " did not open on " + url);
      }
    }

    // the data: a price and padding up to the payload's size, as the load test's events are
    String pad = "x".repeat(Math.max(0, payload - 40));
    AtomicLong published = new AtomicLong();
    ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
    try (PushClient publisher = PushClient.builder(url).topics(topic).transport(Transport.WS).build()) {
      publisher.connect();
      clock.scheduleAtFixedRate(() -> publisher.publish(topic,
          "{\"price\":" + (100 + published.incrementAndGet() % 1000) / 10.0 + ",\"pad\":\"" + pad + "\"}"),
        0, 1_000_000 / rate, TimeUnit.MICROSECONDS);
      TimeUnit.SECONDS.sleep(warmup);
      for (Subscriber s : subscribers) {
        s.start = s.client.readMeter().get(10, TimeUnit.SECONDS);
        s.measuring = true;
      }
      long from = published.get();
      TimeUnit.SECONDS.sleep(seconds);
      for (Subscriber s : subscribers) {
        s.measuring = false;
      }
      long sent = published.get() - from;
      clock.shutdownNow();

      StringBuilder table = new StringBuilder("| transport | conflate | events/s received | bytes down/s | bytes up/s "
        + "| requests/s | bytes per published event, down + up | age of a value p50 / p99 |\n| --- | ---: | ---: | ---: | ---: "
        + "| ---: | ---: | ---: |\n");
      for (Subscriber s : subscribers) {
        WireMeter end = s.client.readMeter().get(10, TimeUnit.SECONDS);
        List<Long> ages;
        synchronized (s.ages) {
          ages = new ArrayList<>(s.ages);
        }
        Collections.sort(ages);
        long p50 = ages.isEmpty() ? -1 : ages.get(ages.size() / 2);
        long p99 = ages.isEmpty() ? -1 : ages.get(Math.min(ages.size() - 1, ages.size() * 99 / 100));
        double down = (double) (end.bytesDown - s.start.bytesDown) / seconds;
        double up = (double) (end.bytesUp - s.start.bytesUp) / seconds;
        double requests = (double) (end.requests - s.start.requests) / seconds;
        System.out.printf("{\"transport\":\"%s\",\"conflateMs\":%d,\"published\":%d,\"received\":%d,\"bytesDownPerSecond\":%.0f,"
            + "\"bytesUpPerSecond\":%.0f,\"requestsPerSecond\":%.2f,\"ageP50Ms\":%d,\"ageP99Ms\":%d}%n",
          s.transport.label(), s.window, sent, s.events.get(), down, up, requests, p50, p99);
        table.append(String.format("| %s | %s | %.1f | %,.0f | %,.0f | %.2f | %.1f | %d / %d ms |%n", s.transport.label(),
          s.window == 0 ? "off" : s.window + " ms", (double) s.events.get() / seconds, down, up, requests,
          (down + up) * seconds / Math.max(1, sent), p50, p99));
      }
      System.out.println();
      System.out.printf("%d events/s of %d B published, %d s measured after %d s%n%n", rate, payload, seconds, warmup);
      System.out.print(table);
    } finally {
      clock.shutdownNow();
      for (Subscriber s : subscribers) {
        s.client.close();
      }
    }
  }
}
