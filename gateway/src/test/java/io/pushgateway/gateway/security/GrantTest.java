package io.pushgateway.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Which topic a route's grant refuses, read from the route's own parameters. */
class GrantTest {

  private final Grants grants = Grants.of(new JsonObject().put(Grants.CLAIM, new JsonObject()
    .put("sub", new JsonArray().add("open").add("news.*"))
    .put("pub", new JsonArray().add("open"))));

  @Test
  void subscribeTopicsCoversEveryTopicOfTheList() {
    assertThat(Grant.SUBSCRIBE_TOPICS.refused(grants, "open,news.a", null)).isNull();
    assertThat(Grant.SUBSCRIBE_TOPICS.refused(grants, "open, secret", null)).isEqualTo("secret");
    // A malformed name is the route's to refuse (invalid_topic); it never serves it.
    assertThat(Grant.SUBSCRIBE_TOPICS.refused(grants, "open,bad name", null)).isNull();
    // The path parameter is not what this grant reads.
    assertThat(Grant.SUBSCRIBE_TOPICS.refused(grants, "open", "secret")).isNull();
  }

  @Test
  void subscribeTopicReadsOnlyThePathParameter() {
    assertThat(Grant.SUBSCRIBE_TOPIC.refused(grants, null, "news.x")).isNull();
    assertThat(Grant.SUBSCRIBE_TOPIC.refused(grants, "open", "secret")).isEqualTo("secret");
  }

  @Test
  void publishTopicReadsThePubPatterns() {
    assertThat(Grant.PUBLISH_TOPIC.refused(grants, null, "open")).isNull();
    assertThat(Grant.PUBLISH_TOPIC.refused(grants, null, "news.a")).isEqualTo("news.a");
  }

  @Test
  void openAndAuthenticatedRoutesRefuseNoTopic() {
    Grants none = Grants.of(new JsonObject());
    assertThat(Grant.NONE.refused(none, "secret", "secret")).isNull();
    assertThat(Grant.AUTHENTICATED.refused(none, "secret", "secret")).isNull();
  }
}
