package io.pushgateway.gateway.transport;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.Cursor;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.Topics;
import io.vertx.core.http.HttpServerRequest;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code topics=a,b}, {@code cursor=…} and {@code conflate=…}, read the same way by all four
 * transports; refused with the protocol's codes before anything is opened.
 */
public record SubscriptionParams(List<String> topics, Cursor cursor, Conflation conflation) {

  /** The longest conflation window a subscriber may ask for: ten minutes. */
  public static final int MAX_CONFLATE_MILLIS = 600_000;

  /**
   * {@code conflate=MS} (every topic) or {@code conflate=prices:MS,…} (those topics, the others
   * whole), or both ({@code conflate=1000,chat:0}): each topic's window in milliseconds, 0 for
   * every event.
   */
  public record Conflation(int defaultMillis, Map<String, Integer> byTopic) {

    public static final Conflation NONE = new Conflation(0, Map.of());

    public int millis(String topic) {
      return byTopic.getOrDefault(topic, defaultMillis);
    }

    /** Those of {@code topics} that are conflated: read for their newest event alone. */
    public Set<String> conflated(List<String> topics) {
      if (defaultMillis == 0 && byTopic.isEmpty()) {
        return Set.of();
      }
      return topics.stream().filter(topic -> millis(topic) > 0).collect(Collectors.toUnmodifiableSet());
    }

    static Conflation parse(String value, List<String> topics) {
      if (value == null || value.isEmpty()) {
        return NONE;
      }
      int defaultMillis = 0;
      Map<String, Integer> byTopic = new HashMap<>();
      String[] entries = value.split(",", -1);
      if (entries.length > topics.size() + 1) {
        throw invalid(value);
      }
      for (String entry : entries) {
        int colon = entry.indexOf(':');
        int millis = millis(colon < 0 ? entry : entry.substring(colon + 1), value);
        if (colon < 0) {
          defaultMillis = millis;
        } else if (topics.contains(entry.substring(0, colon))) {
          byTopic.put(entry.substring(0, colon), millis);
        } else {
          throw new GatewayException(ErrorCode.INVALID_PARAMETER,
            "conflate names a topic the subscription does not: " + Topics.quote(entry.substring(0, colon)));
        }
      }
      return new Conflation(defaultMillis, Map.copyOf(byTopic));
    }

    private static int millis(String text, String value) {
      try {
        int millis = Integer.parseInt(text);
        if (millis >= 0 && millis <= MAX_CONFLATE_MILLIS) {
          return millis;
        }
      } catch (NumberFormatException ignored) {
        // falls through to the error
      }
      throw invalid(value);
    }

    private static GatewayException invalid(String value) {
      return new GatewayException(ErrorCode.INVALID_PARAMETER, "conflate must be MS or topic:MS,… with MS from 0 to "
        + MAX_CONFLATE_MILLIS + " (milliseconds), got " + Topics.quote(value));
    }
  }

  public static SubscriptionParams parse(HttpServerRequest request, GatewayConfig config) {
    return parse(request, request.getParam("cursor"), config);
  }

  /** With the cursor from elsewhere (SSE's Last-Event-ID). */
  public static SubscriptionParams parse(HttpServerRequest request, String cursorParam, GatewayConfig config) {
    String topicsParam = request.getParam("topics");
    if (topicsParam == null || topicsParam.isBlank()) {
      throw new GatewayException(ErrorCode.INVALID_PARAMETER, "topics is required, e.g. topics=prices,chat");
    }
    // one topic, the usual case, needs no set to drop repeats
    List<String> ordered = topicsParam.indexOf(',') < 0 ? List.of(Topics.require(topicsParam.trim()))
      : distinct(topicsParam, config.maxTopicsPerSubscription());
    return new SubscriptionParams(ordered, Cursor.parse(cursorParam, ordered),
      Conflation.parse(request.getParam("conflate"), ordered));
  }

  private static List<String> distinct(String topicsParam, int max) {
    Set<String> topics = new LinkedHashSet<>();
    for (String topic : topicsParam.split(",", -1)) {
      topics.add(Topics.require(topic.trim()));
    }
    if (topics.size() > max) {
      throw new GatewayException(ErrorCode.INVALID_PARAMETER,
        "at most " + max + " topics per subscription, got " + topics.size());
    }
    return List.copyOf(topics);
  }

  /** A yes-or-no parameter: {@code 1}/{@code true}, {@code 0}/{@code false}, absent is {@code false}. */
  public static boolean flagParam(HttpServerRequest request, String name) {
    String value = request.getParam(name);
    if (value == null || value.equals("0") || value.equals("false")) {
      return false;
    }
    if (!value.equals("1") && !value.equals("true")) {
      throw new GatewayException(ErrorCode.INVALID_PARAMETER, name + " must be 1 or 0");
    }
    return true;
  }

  /** An integer query parameter within {@code [min, max]}, or {@code fallback} when absent. */
  public static int intParam(HttpServerRequest request, String name, int fallback, int min, int max) {
    String value = request.getParam(name);
    if (value == null || value.isEmpty()) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException ignored) {
      // falls through to the error below
    }
    throw new GatewayException(ErrorCode.INVALID_PARAMETER,
      name + " must be an integer from " + min + " to " + max + ", got '" + value + "'");
  }
}
