// What the Java client publishes per second: one PushClient on one transport keeps a window of
// publishes in flight (single events, or batches with publishAll) for the given seconds after a
// warm-up, all to one gateway. Prints one JSON line per setup. Runs from the load-test jar, which
// holds the client:
//
//   java -cp loadtest/target/push-loadtest.jar loadtest/scripts/ClientPublishRate.java \
//        --url http://127.0.0.1:8080 [--transport ws|short] [--batch 1] [--window 64] [--seconds 8] \
//        [--warmup 4] [--topics 10] [--keys 1]
//
// --keys 0 turns the client's own idempotency keys off (idempotentPublishing(false)).

import io.pushgateway.client.Listener;
import io.pushgateway.client.Outgoing;
import io.pushgateway.client.PushClient;
import io.pushgateway.client.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

public class ClientPublishRate {

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    String url = opts.getOrDefault("url", "http://127.0.0.1:8080");
    Transport transport = opts.getOrDefault("transport", "ws").equals("ws") ? Transport.WS : Transport.SHORT;
    int batch = Integer.parseInt(opts.getOrDefault("batch", "1"));
    int window = Integer.parseInt(opts.getOrDefault("window", "64"));
    int seconds = Integer.parseInt(opts.getOrDefault("seconds", "8"));
    int warmup = Integer.parseInt(opts.getOrDefault("warmup", "4"));
    int topics = Integer.parseInt(opts.getOrDefault("topics", "10"));
    boolean keys = !opts.getOrDefault("keys", "1").equals("0");

    CountDownLatch open = new CountDownLatch(1);
    try (PushClient client = PushClient.builder(url).topics("rate.0").transport(transport)
        .publishTimeout(Duration.ofSeconds(30)).idempotentPublishing(keys).listener(new Listener() {
          @Override
          public void onOpen(Transport opened, boolean reconnected) {
            open.countDown();
          }
        }).build()) {
      client.connect();
      // until its transport is open the client publishes over HTTP
      if (!open.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the client did not connect to " + url);
      }
      run(client, batch, window, topics, warmup);
      long[] result = run(client, batch, window, topics, seconds);
      System.out.printf("{\"transport\":\"%s\",\"batch\":%d,\"window\":%d,\"keys\":%b,\"seconds\":%d,"
          + "\"eventsPerSecond\":%d,\"errors\":%d}%n", transport.label(), batch, window, keys, seconds,
        result[0] / seconds, result[1]);
    }
  }

  /** Keeps {@code window} publishes (or batches) in flight for {@code seconds}: events published, errors. */
  private static long[] run(PushClient client, int batch, int window, int topics, int seconds) throws Exception {
    Semaphore inFlight = new Semaphore(window);
    AtomicLong published = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long n = 0;
    while (System.nanoTime() < end) {
      if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        continue;
      }
      CompletableFuture<?> sent;
      if (batch == 1) {
        sent = client.publish("rate." + (n++ % topics), "{\"n\":" + n + "}");
      } else {
        List<Outgoing> events = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++, n++) {
          events.add(Outgoing.of("rate." + (n % topics), "{\"n\":" + n + "}"));
        }
        sent = CompletableFuture.allOf(client.publishAll(events).toArray(CompletableFuture[]::new));
      }
      sent.whenComplete((done, failure) -> {
        if (failure == null) {
          published.addAndGet(batch);
        } else {
          errors.incrementAndGet();
        }
        inFlight.release();
      });
    }
    inFlight.acquire(window); // the last ones answered
    return new long[] {published.get(), errors.get()};
  }
}
