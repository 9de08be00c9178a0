package io.pushgateway.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pushgateway.gateway.core.HistoryLimits;
import io.pushgateway.gateway.core.Transport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GatewayConfigTest {

  @Test
  void defaultsAreTheDocumentedOnes() {
    GatewayConfig config = GatewayConfig.defaults();
    assertThat(config.port()).isEqualTo(8080);
    assertThat(config.historySize()).isEqualTo(1000);
    assertThat(config.maxPayloadBytes()).isEqualTo(65536);
    assertThat(config.maxTopicsPerSubscription()).isEqualTo(64);
    assertThat(config.pingIntervalMillis()).isEqualTo(25_000);
    assertThat(config.transports()).containsExactly(Transport.WS, Transport.SSE, Transport.LONG, Transport.SHORT);
  }

  @Test
  void readsJsonEnvironmentAndStrings() {
    GatewayConfig config = GatewayConfig.fromJson(new JsonObject()
      .put("port", "9000").put("transports", new JsonArray().add("sse").add("long")).put("demo", "true"));
    assertThat(config.port()).isEqualTo(9000);
    assertThat(config.transports()).containsExactly(Transport.SSE, Transport.LONG);
    assertThat(config.demo()).isTrue();
    JsonObject env = GatewayConfig.fromEnvironment(Map.of("PUSH_GATEWAY_HISTORY_SIZE", "42", "OTHER", "x"));
    assertThat(env).isEqualTo(new JsonObject().put("historySize", "42"));
    assertThat(GatewayConfig.fromJson(env).historySize()).isEqualTo(42);
    assertThat(GatewayConfig.fromEnvironment(Map.of("PUSH_GATEWAY_IPV6_PREFIX_LENGTH", "48")))
      .isEqualTo(new JsonObject().put("ipv6PrefixLength", "48"));
  }

  @Test
  void anEnvironmentVariableThatNamesNoOptionIsRefusedByName() {
    assertThatThrownBy(() -> GatewayConfig.fromEnvironment(Map.of("PUSH_GATEWAY_HISTORY_SIZE", "42",
      "PUSH_GATEWAY_HISTROY_SIZE", "5")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("'PUSH_GATEWAY_HISTROY_SIZE'")
      .hasMessageContaining("PUSH_GATEWAY_HISTORY_SIZE");
    assertThatThrownBy(() -> GatewayConfig.fromEnvironment(Map.of("PUSH_GATEWAY_", "x")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("'PUSH_GATEWAY_'");
    // every option's own variable is taken
    Map<String, String> all = new HashMap<>();
    GatewayConfig.OPTIONS.forEach(o -> all.put(GatewayConfig.ENV_PREFIX + o.envSuffix(), String.valueOf(o.defaultValue())));
    assertThat(GatewayConfig.fromEnvironment(all).size()).isEqualTo(GatewayConfig.OPTIONS.size());
  }

  @Test
  void badValuesNameTheirKey() {
    assertThatThrownBy(() -> GatewayConfig.fromJson(new JsonObject().put("port", 70000)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("'port'");
    assertThatThrownBy(() -> GatewayConfig.fromJson(new JsonObject().put("historySize", "many")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("'historySize'");
    assertThatThrownBy(() -> GatewayConfig.fromJson(new JsonObject().put("transports", "ws,carrier-pigeon")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("'transports'").hasMessageContaining("carrier-pigeon");
    assertThatThrownBy(() -> GatewayConfig.fromJson(new JsonObject().put("writePath", "epoll")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("'writePath'");
    assertThatThrownBy(() -> GatewayConfig.fromJson(new JsonObject().put("writePath", "vertx").put("compression", true)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("'compression'").hasMessageContaining("writePath=netty");
    assertThatThrownBy(() -> GatewayConfig.fromJson(new JsonObject().put("histroySize", 5)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("'histroySize'").hasMessageContaining("unknown");
  }

  @Test
  void historyRulesGiveTheirTopicsTheirOwnCountAndAge() {
    GatewayConfig config = GatewayConfig.fromJson(new JsonObject().put("historySize", 500).put("historyMaxAgeSeconds", 60)
      .put("historyRules", " chat.*=100/86400 ,prices.*=1,*=7"));
    assertThat(config.historyLimits().rules()).containsExactly(new HistoryLimits.Rule("chat.*", 100, 86_400_000),
      new HistoryLimits.Rule("prices.*", 1, 0), new HistoryLimits.Rule("*", 7, 0));
    HistoryLimits chat = config.historyLimits().forTopic("chat.lobby");
    assertThat(chat.events()).isEqualTo(100);
    assertThat(chat.maxAgeMillis()).isEqualTo(86_400_000);
    assertThat(chat.topicBytes()).as("the other bounds shared").isEqualTo(config.historyLimits().topicBytes());
    assertThat(config.historyLimits().forTopic("prices.eur").events()).isEqualTo(1);
    assertThat(config.historyLimits().forTopic("news").events()).as("the catch-all, last").isEqualTo(7);
    GatewayConfig none = GatewayConfig.defaults();
    assertThat(none.historyLimits().forTopic("chat.lobby")).isSameAs(none.historyLimits());
  }

  @ParameterizedTest
  @ValueSource(strings = {"chat.*", "chat.*=", "chat.*=0", "chat.*=10000001", "chat.*=many", "chat.*=5/-1",
    "chat.*=5/1/2", "chat.*=5/", "=5", "chat room=5", "%2A=5", "chat.*=5,chat.*=6", "-chat=5"})
  void aMalformedHistoryRuleIsRefusedByName(String rules) {
    assertThatThrownBy(() -> GatewayConfig.fromJson(new JsonObject().put("historyRules", rules)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("'historyRules'");
  }

  @Test
  void historyRulesAreBounded() {
    String tooMany = IntStream.rangeClosed(0, GatewayConfig.MAX_TOPIC_PATTERNS).mapToObj(i -> "t" + i + ".*=5")
      .collect(Collectors.joining(","));
    assertThatThrownBy(() -> GatewayConfig.fromJson(new JsonObject().put("historyRules", tooMany)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("'historyRules'").hasMessageContaining("at most 100");
    String enough = tooMany.substring(tooMany.indexOf(',') + 1);
    assertThat(GatewayConfig.fromJson(new JsonObject().put("historyRules", enough)).historyLimits().rules())
      .hasSize(GatewayConfig.MAX_TOPIC_PATTERNS);
  }

  @Test
  void publicTopicsArePatternsAndNeedAuth() {
    JsonObject auth = new JsonObject().put("auth", true).put("jwtHmacSecret", "s".repeat(32));
    assertThat(GatewayConfig.fromJson(auth.copy().put("publicTopics", "prices.*, scores")).publicTopics())
      .containsExactly("prices.*", "scores");
    assertThatThrownBy(() -> GatewayConfig.fromJson(new JsonObject().put("publicTopics", "prices.*")))
      .isInstanceOf(ConfigException.class).hasMessageContaining("'publicTopics'").hasMessageContaining("auth on");
    assertThatThrownBy(() -> GatewayConfig.fromJson(new JsonObject().put("maxConnectionsPerUser", 5)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("'maxConnectionsPerUser'").hasMessageContaining("auth on");
    for (String bad : List.of("prices/*", "-x", "a b")) {
      assertThatThrownBy(() -> GatewayConfig.fromJson(auth.copy().put("publicTopics", bad)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'publicTopics'");
    }
  }

  @Test
  void theIdleTimeoutOutlastsLongPollsAndSseKeepAlives() {
    assertThat(GatewayConfig.defaults().idleTimeoutMillis()).isEqualTo(90_000);
    assertThat(GatewayConfig.defaults().requestHeadTimeoutMillis()).isEqualTo(10_000);
    assertThatThrownBy(() -> GatewayConfig.fromJson(new JsonObject().put("idleTimeoutSeconds", 60)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("'idleTimeoutSeconds'")
      .hasMessageContaining("maxLongPollTimeoutSeconds");
    assertThatThrownBy(() -> GatewayConfig.fromJson(new JsonObject().put("maxLongPollTimeoutSeconds", 120)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("'idleTimeoutSeconds'");
    assertThatThrownBy(() -> GatewayConfig.fromJson(new JsonObject().put("sseKeepAliveSeconds", 90)))
      .isInstanceOf(ConfigException.class).hasMessageContaining("'sseKeepAliveSeconds'");
    assertThat(GatewayConfig.fromJson(new JsonObject().put("maxLongPollTimeoutSeconds", 120)
      .put("idleTimeoutSeconds", 150)).idleTimeoutMillis()).isEqualTo(150_000);
  }

  /** The hardened example of docs/security.md is a configuration the gateway accepts as it stands. */
  @Test
  void theSecurityPagesHardenedConfigurationIsValid() throws Exception {
    String page = Files.readString(Path.of("..", "docs", "security.md"));
    int start = page.indexOf("```json\n", page.indexOf("## A hardened configuration"));
    String json = page.substring(start + "```json\n".length(), page.indexOf("```", start + 7));
    GatewayConfig config = GatewayConfig.fromJson(new JsonObject(json));
    assertThat(config.auth()).isTrue();
    assertThat(config.tls()).isTrue();
    assertThat(config.maxConnections()).isPositive();
  }

  @Test
  void readmeDocumentsEveryOptionWithItsDefault() throws Exception {
    Path readme = Path.of("..", "README.md");
    String text = Files.readString(readme);
    for (GatewayConfig.Option option : GatewayConfig.OPTIONS) {
      String def = String.valueOf(option.defaultValue());
      assertThat(text).as("README row for " + option.key())
        .containsPattern("\\| `" + option.key() + "` \\| `" + java.util.regex.Pattern.quote(def) + "` \\|");
    }
  }
}
