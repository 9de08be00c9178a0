package io.pushgateway.gateway.transport;

import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.core.Cursor;
import io.pushgateway.gateway.core.ErrorCode;
import io.pushgateway.gateway.core.GatewayException;
import io.pushgateway.gateway.core.Position;
import io.pushgateway.gateway.core.Topics;
import io.vertx.core.http.HttpServerRequest;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code topics=a,b}, {@code cursor=…}, {@code conflate=…} and {@code rewind=…}, read the same way
 * by all four transports; refused with the protocol's codes before anything is opened. A topic
 * the cursor does not name and {@code rewind} does starts at a {@linkplain Position#rewind rewind}
 * in {@link #cursor}: a cursor entry, the resumer's, always wins over it.
 */
public record SubscriptionParams(List<String> topics, Cursor cursor, PerTopic conflation, PerTopic rewind) {

  /** The longest conflation window a subscriber may ask for: ten minutes. */
  public static final int MAX_CONFLATE_MILLIS = 600_000;
  /** The most events a subscriber may rewind: as many as the longest history keeps. */
  public static final int MAX_REWIND = 10_000_000;

  /**
   * A number per topic, as {@code conflate} and {@code rewind} take it: {@code N} (every topic),
   * {@code prices:N,…} (those topics, the others 0), or both ({@code 1000,chat:0}).
   */
  public record PerTopic(int defaultValue, Map<String, Integer> byTopic) {

    public static final PerTopic NONE = new PerTopic(0, Map.of());

    public int get(String topic) {
      return byTopic.getOrDefault(topic, defaultValue);
    }

    /** Those of {@code topics} whose number is above 0 (for conflate: read for their newest event alone). */
    public Set<String> positive(List<String> topics) {
      if (defaultValue == 0 && byTopic.isEmpty()) {
        return Set.of();
      }
      return topics.stream().filter(topic -> get(topic) > 0).collect(Collectors.toUnmodifiableSet());
    }

    /** Parameter {@code name}'s {@code value}, each number from 0 to {@code max} ({@code unit} says of what). */
    static PerTopic parse(String name, String value, List<String> topics, int max, String unit) {
      if (value == null || value.isEmpty()) {
        return NONE;
      }
      int defaultValue = 0;
      Map<String, Integer> byTopic = new HashMap<>();
      String[] entries = value.split(",", -1);
      if (entries.length > topics.size() + 1) {
        throw invalid(name, value, max, unit);
      }
      for (String entry : entries) {
        int colon = entry.indexOf(':');
        int number = number(colon < 0 ? entry : entry.substring(colon + 1), max);
        if (number < 0) {
          throw invalid(name, value, max, unit);
        }
        if (colon < 0) {
          defaultValue = number;
        } else if (topics.contains(entry.substring(0, colon))) {
          byTopic.put(entry.substring(0, colon), number);
        } else {
          throw new GatewayException(ErrorCode.INVALID_PARAMETER,
            name + " names a topic the subscription does not: " + Topics.quote(entry.substring(0, colon)));
        }
      }
      return new PerTopic(defaultValue, Map.copyOf(byTopic));
    }

    /** The number from 0 to {@code max}, or -1. */
    private static int number(String text, int max) {
      try {
        int number = Integer.parseInt(text);
        return number >= 0 && number <= max ? number : -1;
      } catch (NumberFormatException e) {
        return -1;
      }
    }

    private static GatewayException invalid(String name, String value, int max, String unit) {
      return new GatewayException(ErrorCode.INVALID_PARAMETER, name + " must be N or topic:N,… with N from 0 to "
        + max + " (" + unit + "), got " + Topics.quote(value));
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
    PerTopic conflation = PerTopic.parse("conflate", request.getParam("conflate"), ordered, MAX_CONFLATE_MILLIS,
      "milliseconds");
    PerTopic rewind = PerTopic.parse("rewind", request.getParam("rewind"), ordered, MAX_REWIND, "events");
    return new SubscriptionParams(ordered, rewound(Cursor.parse(cursorParam, ordered), ordered, rewind), conflation,
      rewind);
  }

  /** The cursor with a rewind for each topic it does not name and {@code rewind} does. */
  public static Cursor rewound(Cursor cursor, List<String> topics, PerTopic rewind) {
    Cursor rewound = cursor;
    for (String topic : rewind.positive(topics)) {
      if (cursor.get(topic) == null) {
        rewound = rewound.with(topic, Position.rewind(rewind.get(topic)));
      }
    }
    return rewound;
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
