// What deltas save a subscriber of successive states of one object: for each transport and format,
// one subscriber that takes whole data and one that asks for patches (delta=merge), side by side on
// the same topic, while a publisher sends a steady rate of quotes (a few members change per event)
// or dashboards (one gauge of forty changes). Each subscriber has its own wire meter, so the figures
// are the gateway's count of the bytes and requests on its connection, headers included; every
// delta subscriber's data is checked against the whole subscriber's. Prints one JSON line per
// subscriber, then a Markdown table. Runs from the load-test jar, which holds the client:
//
//   java -cp loadtest/target/push-loadtest.jar loadtest/scripts/DeltaCost.java \
//        --url http://127.0.0.1:8080 [--rate 50] [--shape quote|dashboard] [--seconds 20] [--warmup 5] \
//        [--transports ws,sse,long,short]
//
// With --patch-cost SECONDS it measures instead what working out a patch costs the gateway: the
// time of its MergePatch.between, once per event, for 1,023 consecutive pairs of each shape,
// single-threaded, after a warm-up as long; no gateway needed.

import io.pushgateway.client.Event;
import io.pushgateway.client.Listener;
import io.pushgateway.client.PushClient;
import io.pushgateway.client.Transport;
import io.pushgateway.client.WireMeter;
import com.google.gson.JsonParser;
import io.pushgateway.gateway.wire.MergePatch;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

public class DeltaCost {


  /** One subscriber: what it received, and its meter at the window's start. */
  static final class Subscriber implements Listener {
    final Transport transport;
    final boolean compact;
    final boolean deltas;
    final PushClient client;
    final CountDownLatch open = new CountDownLatch(1);
    final AtomicLong events = new AtomicLong();
    final Map<Long, String> data = new ConcurrentHashMap<>();
    volatile boolean measuring;
    WireMeter start;

    Subscriber(String url, String topic, Transport transport, boolean compact, boolean deltas, String meter) {
      this.transport = transport;
      this.compact = compact;
      this.deltas = deltas;
      PushClient.Builder builder = PushClient.builder(url).topics(topic).transport(transport)
        .pollInterval(Duration.ofSeconds(1)).meter(meter).listener(this);
      builder = compact ? builder.compact() : builder;
      this.client = (deltas ? builder.deltas() : builder).build();
    }

    @Override
    public void onOpen(Transport opened, boolean reconnected) {
      open.countDown();
    }

    @Override
    public void onEvent(Event event) {
      data.put(event.id(), event.dataJson());
      if (measuring) {
        events.incrementAndGet();
      }
    }
  }

  /** A quote: prices, sizes and volume move, the rest stays. */
  static String quote(Random random, long n) {
    double mid = 100 + (n % 500) / 100.0;
    return String.format("{\"sym\":\"ACME\",\"name\":\"Acme Corporation, common stock\",\"exchange\":\"XNAS\","
        + "\"currency\":\"USD\",\"bid\":%.2f,\"ask\":%.2f,\"bidSize\":%d,\"askSize\":%d,\"last\":%.2f,\"volume\":%d,"
        + "\"open\":100.10,\"high\":105.30,\"low\":99.80,\"status\":\"trading\"}",
      mid - 0.01, mid + 0.02, 100 * (1 + random.nextInt(9)), 100 * (1 + random.nextInt(9)), mid, 1_000_000 + 37 * n);
  }

  /** A dashboard of forty gauges on eight hosts: one gauge changes per event. */
  static String dashboard(Random random, long n, int[] gauges) {
    gauges[(int) (n % gauges.length)] = random.nextInt(1000);
    StringBuilder json = new StringBuilder("{\"title\":\"Fleet overview\",\"refreshed\":").append(n).append(",\"hosts\":{");
    for (int host = 0; host < 8; host++) {
      json.append(host == 0 ? "" : ",").append("\"web-").append(host).append("\":{");
      String[] names = {"cpu", "memory", "disk", "rps", "errors"};
      for (int g = 0; g < names.length; g++) {
        json.append(g == 0 ? "" : ",").append('"').append(names[g]).append("\":").append(gauges[host * 5 + g]);
      }
      json.append('}');
    }
    return json.append("}}").toString();
  }

  /** The data of events 0..count-1 of {@code shape}, as the publisher sends them. */
  static List<String> events(String shape, int count) {
    Random random = new Random(42);
    int[] gauges = new int[40];
    List<String> events = new ArrayList<>();
    for (long n = 1; n <= count; n++) {
      events.add(shape.equals("dashboard") ? dashboard(random, n, gauges) : quote(random, n));
    }
    return events;
  }

  static void patchCost(int seconds) {
    for (String shape : new String[] {"quote", "dashboard"}) {
      List<byte[]> data = new ArrayList<>();
      events(shape, 1024).forEach(e -> data.add(e.getBytes(StandardCharsets.UTF_8)));
      for (int round = 0; round < 2; round++) { // the first warms up
        long patches = 0;
        long patchBytes = 0;
        long start = System.nanoTime();
        while (System.nanoTime() - start < seconds * 1_000_000_000L) {
          for (int i = 1; i < data.size(); i++) {
            byte[] patch = MergePatch.between(data.get(i - 1), data.get(i));
            patchBytes += patch == null ? data.get(i).length : patch.length;
          }
          patches += data.size() - 1;
        }
        if (round == 1) {
          System.out.printf("%s: %.0f B of data on average, patch %.0f B on average, %.2f µs per patch%n", shape,
            data.stream().mapToInt(d -> d.length).average().orElse(0), (double) patchBytes / patches,
            (System.nanoTime() - start) / 1000.0 / patches);
        }
      }
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    if (opts.containsKey("patch-cost")) {
      patchCost(Integer.parseInt(opts.get("patch-cost")));
      return;
    }
    String url = opts.getOrDefault("url", "http://127.0.0.1:8080");
    int rate = Integer.parseInt(opts.getOrDefault("rate", "50"));
    String shape = opts.getOrDefault("shape", "quote");
    int seconds = Integer.parseInt(opts.getOrDefault("seconds", "20"));
    int warmup = Integer.parseInt(opts.getOrDefault("warmup", "5"));
    String topic = "delta-cost-" + Long.toString(System.nanoTime(), 36);
    String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);

    List<Subscriber> subscribers = new ArrayList<>();
    for (String label : opts.getOrDefault("transports", "ws,sse,long,short").split(",")) {
      Transport transport = Transport.valueOf(label.trim().toUpperCase());
      for (boolean compact : new boolean[] {false, true}) {
        for (boolean deltas : new boolean[] {false, true}) {
          subscribers.add(new Subscriber(url, topic, transport, compact, deltas,
            "delta-" + run + "-" + label.trim() + (compact ? "-c" : "-j") + (deltas ? "-d" : "-w")));
        }
      }
    }
    for (Subscriber s : subscribers) {
      s.client.connect();
      if (!s.open.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException(s.transport + " did not open on " + url);
      }
    }

    List<String> feed = events(shape, 100_000);
    AtomicLong published = new AtomicLong();
    AtomicLong dataBytes = new AtomicLong();
    ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
    try (PushClient publisher = PushClient.builder(url).topics(topic).transport(Transport.WS).build()) {
      publisher.connect();
      clock.scheduleAtFixedRate(() -> {
        String data = feed.get((int) (published.incrementAndGet() % feed.size()));
        dataBytes.addAndGet(data.length());
        publisher.publish(topic, data);
      }, 0, 1_000_000 / rate, TimeUnit.MICROSECONDS);
      TimeUnit.SECONDS.sleep(warmup);
      for (Subscriber s : subscribers) {
        s.start = s.client.readMeter().get(10, TimeUnit.SECONDS);
        s.measuring = true;
      }
      long from = published.get();
      long fromBytes = dataBytes.get();
      TimeUnit.SECONDS.sleep(seconds);
      for (Subscriber s : subscribers) {
        s.measuring = false;
      }
      long sent = published.get() - from;
      long sentBytes = dataBytes.get() - fromBytes;
      clock.shutdownNow();
      TimeUnit.SECONDS.sleep(2); // the last polls come back

      // every subscriber's data for every id it got: the same JSON value as everybody else's
      Map<Long, String> reference = subscribers.get(0).data;
      long mismatches = 0;
      for (Subscriber s : subscribers) {
        for (Map.Entry<Long, String> got : s.data.entrySet()) {
          String whole = reference.get(got.getKey());
          if (whole != null && !JsonParser.parseString(whole).equals(JsonParser.parseString(got.getValue()))) {
            mismatches++;
          }
        }
      }

      StringBuilder table = new StringBuilder("| transport | format | deltas | events/s received | bytes down/s "
        + "| bytes down per event | patched |\n| --- | --- | --- | ---: | ---: | ---: | ---: |\n");
      for (Subscriber s : subscribers) {
        WireMeter end = s.client.readMeter().get(10, TimeUnit.SECONDS);
        double down = (double) (end.bytesDown - s.start.bytesDown) / seconds;
        long patches = s.client.stats().patches;
        long events = s.client.stats().events;
        System.out.printf("{\"transport\":\"%s\",\"compact\":%s,\"deltas\":%s,\"published\":%d,\"received\":%d,"
            + "\"bytesDownPerSecond\":%.0f,\"patchedShare\":%.3f}%n",
          s.transport.label(), s.compact, s.deltas, sent, s.events.get(), down, (double) patches / Math.max(1, events));
        table.append(String.format("| %s | %s | %s | %.1f | %,.0f | %.0f B | %.0f%% |%n", s.transport.label(),
          s.compact ? "compact" : "json", s.deltas ? "merge" : "off", (double) s.events.get() / seconds, down,
          down * seconds / Math.max(1, sent), 100.0 * patches / Math.max(1, events)));
      }
      System.out.println();
      System.out.printf("%d %s events/s of %.0f B on average, %d s measured after %d s; data that differed from "
        + "the whole subscriber's: %d%n%n", rate, shape, (double) sentBytes / Math.max(1, sent), seconds, warmup, mismatches);
      System.out.print(table);
    } finally {
      clock.shutdownNow();
      for (Subscriber s : subscribers) {
        s.client.close();
      }
    }
  }
}
