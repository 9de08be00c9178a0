package io.pushgateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.Eventually;
import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the gateway logs: its start with the configuration (no secret), and errors nobody handled. */
class GatewayLoggingTest {

  private static final String SECRET = "a-secret-of-at-least-32-characters!";

  private final Logger logger = Logger.getLogger(Gateway.class.getName());
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };

  @BeforeEach
  void listen() {
    logger.addHandler(capture);
  }

  @AfterEach
  void stopListening() {
    logger.removeHandler(capture);
  }

  @Test
  void theStartShowsTheEffectiveConfigurationWithoutItsSecret() throws Exception {
    try (TestGateway gateway = TestGateway.start(new JsonObject().put("jwtHmacSecret", SECRET).put("historySize", 7))) {
      String started = records.stream().map(GatewayLoggingTest::text)
        .filter(line -> line.contains("listening on")).findFirst().orElseThrow();
      assertThat(started).contains(":" + gateway.port() + " ", "\"historySize\":7", "\"jwtHmacSecret\":\"(set)\"")
        .doesNotContain(SECRET);
    }
  }

  @Test
  void anExceptionNoHandlerCaughtIsLoggedOnceWithItsCause() throws Exception {
    try (TestGateway gateway = TestGateway.start()) {
      gateway.vertx.runOnContext(v -> {
        throw new IllegalStateException("nobody catches this");
      });
      Eventually.check(gateway.vertx, () -> assertThat(records)
        .filteredOn(r -> r.getThrown() != null && "nobody catches this".equals(r.getThrown().getMessage()))
        .singleElement()
        .satisfies(r -> assertThat(r.getLevel()).isEqualTo(Level.SEVERE)));
    }
  }

  private static String text(LogRecord record) {
    return new SimpleFormatter().formatMessage(record);
  }
}
