package io.pushgateway.client;

import com.google.gson.JsonObject;

/** A publish the gateway accepted: the event is in history and will reach every subscriber. */
public final class Published {

  private final String topic;
  private final long id;
  private final boolean duplicate;

  Published(String topic, long id, boolean duplicate) {
    this.topic = topic;
    this.id = id;
    this.duplicate = duplicate;
  }

  /** An answer: {@code {"topic","id"}}, and {@code "duplicate":true} for a key stored before. */
  static Published of(JsonObject answer) {
    return new Published(answer.get("topic").getAsString(), answer.get("id").getAsLong(),
      answer.has("duplicate") && answer.get("duplicate").getAsBoolean());
  }

  /** One result of a batch: the same, or the gateway's refusal of that event, thrown. */
  static Published ofResult(JsonObject result) {
    if (result.has("error")) {
      JsonObject error = result.getAsJsonObject("error");
      throw new PushException(error.get("code").getAsString(), error.get("message").getAsString(), 0);
    }
    return of(result);
  }

  public String topic() {
    return topic;
  }

  public long id() {
    return id;
  }

  /**
   * Whether the gateway had stored this publish's idempotency key before (a retry whose first try
   * got through): {@link #id()} is then the event the first try stored, and nothing was stored now.
   */
  public boolean duplicate() {
    return duplicate;
  }
}
