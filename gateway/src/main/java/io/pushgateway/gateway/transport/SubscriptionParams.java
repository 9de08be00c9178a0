package io.pushgateway.gateway.transport;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.Cursor;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.Topics;
import io.vertx.core.http.HttpServerRequest;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code topics=a,b}, {@code cursor=…} and {@code conflate=MS}, read the same way by all four
 * transports; refused with the protocol's codes before anything is opened. {@code conflateMillis}
 * 0 is every event; above it, each topic's newest event alone, at most one per that many
 * milliseconds on a push transport.
 */
public record SubscriptionParams(List<String> topics, Cursor cursor, int conflateMillis) {

  /** The longest conflation window a subscriber may ask for: ten minutes. */
  public static final int MAX_CONFLATE_MILLIS = 600_000;

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
      intParam(request, "conflate", 0, 0, MAX_CONFLATE_MILLIS));
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
