package io.pushgateway.gateway.demo;

import io.pushgateway.gateway.core.EventLog;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/** Publishes a random-walk price to {@code demo.ticker} so the demo page has something live. */
public final class DemoTicker extends VerticleBase {

  public static final String TOPIC = "demo.ticker";
  private static final String[] SYMBOLS = {"ACME", "GLOBX", "INITECH", "UMBRL"};

  private final EventLog log;
  private final double rate;
  private final double[] prices = {101.0, 55.0, 230.0, 12.5};
  private long tick;

  public DemoTicker(EventLog log, double rate) {
    this.log = log;
    this.rate = rate;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(Math.max(1, Math.round(1000 / rate)), id -> publish());
    return Future.succeededFuture();
  }

  private void publish() {
    int i = (int) (tick++ % SYMBOLS.length);
    double step = 1 + ThreadLocalRandom.current().nextGaussian() * 0.002;
    prices[i] = Math.max(0.01, prices[i] * step);
    String data = String.format(Locale.ROOT, "{\"symbol\":\"%s\",\"price\":%.2f}", SYMBOLS[i], prices[i]);
    log.append(TOPIC, data);
  }
}
