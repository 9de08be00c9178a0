package io.pushgateway.gateway.core;

/**
 * A topic's history at one moment: ids {@code oldestId..lastId} are kept ({@code oldestId} is
 * {@code lastId + 1} when nothing is kept), all of history {@code epoch}.
 */
public record TopicState(String topic, long lastId, long oldestId, String epoch) {
}
