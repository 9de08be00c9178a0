package io.pushgateway.client;

/** A publish the gateway accepted: the event is in history and will reach every subscriber. */
public final class Published {

  private final String topic;
  private final long id;

  Published(String topic, long id) {
    this.topic = topic;
    this.id = id;
  }

  public String topic() {
    return topic;
  }

  public long id() {
    return id;
  }
}
