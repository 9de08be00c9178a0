package io.pushgateway.gateway.security;

import io.pushgateway.gateway.core.Topics;

/**
 * What a route asks of the bearer's token when {@code auth} is on. Each route declares its grant
 * where it is defined, and the HTTP server runs the check on that very route, so the decision
 * follows the route the router matched, whatever spelling of the path reached it.
 */
public enum Grant {
  /** Open to everyone: health, readiness, metrics, the page. */
  NONE,
  /** Any valid token (a batch publish, whose events are each checked against {@code topics.pub}). */
  AUTHENTICATED,
  /** The topic list: any valid token, or none where {@code publicTopics} are set; filtered by what the bearer may read. */
  LIST_TOPICS,
  /** {@code topics.sub} covers every topic of the {@code ?topics=} list (the four transports). */
  SUBSCRIBE_TOPICS,
  /** {@code topics.sub} covers the route's {@code :topic} path parameter (a topic's state). */
  SUBSCRIBE_TOPIC,
  /** {@code topics.pub} covers the route's {@code :topic} path parameter (HTTP publish). */
  PUBLISH_TOPIC,
  /** The token's {@code admin} claim is {@code true} (the administration API). */
  ADMIN;

  /** Whether a request without a token may pass where {@code publicTopics} are set: those that read. */
  public boolean readsOnly() {
    return this == SUBSCRIBE_TOPICS || this == SUBSCRIBE_TOPIC || this == LIST_TOPICS;
  }

  /** The path parameter the {@code *_TOPIC} grants read. */
  public static final String TOPIC_PARAM = "topic";
  /** What {@link #refused} names when an {@link #ADMIN} route is refused. */
  public static final String ADMINISTRATION = "administration";
  /** The query parameter {@link #SUBSCRIBE_TOPICS} reads. */
  public static final String TOPICS_QUERY = "topics";

  /**
   * The first topic the grants do not cover (for {@link #ADMIN}: {@link #ADMINISTRATION}), or null
   * when the route may be served. Malformed
   * names are passed over: the route refuses them itself ({@code invalid_topic}) and serves
   * nothing for them.
   *
   * @param topicsQuery the raw {@code ?topics=} value (comma-separated), or null
   * @param topicPath the {@code :topic} path parameter, or null
   */
  public String refused(Grants grants, String topicsQuery, String topicPath) {
    return switch (this) {
      case NONE, AUTHENTICATED, LIST_TOPICS -> null;
      case SUBSCRIBE_TOPICS -> firstRefused(topicsQuery, grants);
      case SUBSCRIBE_TOPIC -> Topics.isValid(topicPath) && !grants.maySubscribe(topicPath) ? topicPath : null;
      case PUBLISH_TOPIC -> Topics.isValid(topicPath) && !grants.mayPublish(topicPath) ? topicPath : null;
      case ADMIN -> grants.admin() ? null : ADMINISTRATION;
    };
  }

  private static String firstRefused(String topics, Grants grants) {
    if (topics == null) {
      return null;
    }
    for (String topic : topics.split(",", -1)) {
      String t = topic.trim();
      if (Topics.isValid(t) && !grants.maySubscribe(t)) {
        return t;
      }
    }
    return null;
  }
}
