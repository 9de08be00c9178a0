package io.pushgateway.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Scrapes that come while one renders share its text, so a flood of scrapes renders once at a
 * time; a scrape that comes after a render has ended renders anew, so it never reads an old one.
 */
class SharedScrapeTest {

  @Test
  void scrapesDuringARenderShareItAndLaterOnesRenderAnew() throws Exception {
    try (GatewayMetrics metrics = new GatewayMetrics()) {
      List<Runnable> renders = new ArrayList<>();
      CompletableFuture<String> first = metrics.scrapeShared(renders::add);
      CompletableFuture<String> meanwhile = metrics.scrapeShared(renders::add);
      assertThat(renders).hasSize(1);
      assertThat(meanwhile).isSameAs(first);

      renders.get(0).run();
      assertThat(first.get(5, TimeUnit.SECONDS)).contains("pushgateway_ready");
      CompletableFuture<String> after = metrics.scrapeShared(renders::add);
      assertThat(renders).hasSize(2);
      assertThat(after).isNotSameAs(first);
    }
  }
}
