package io.pushgateway.gateway.testing;

import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * A test client's reading of deltas, written from the protocol page: an event with a {@code
 * patch} is the topic's previous event (id − 1, the last one received) with that JSON Merge
 * Patch (RFC 7386) applied to its data.
 */
public final class PatchReader {

  private final Map<String, JsonObject> last = new HashMap<>();

  /** Puts the data a patched event stands for in it, and remembers every event as its topic's base. */
  void apply(JsonObject event) {
    String topic = event.getString("topic");
    if (event.containsKey("patch")) {
      JsonObject base = last.get(topic);
      if (base == null || base.getLong("id") + 1 != event.getLong("id")) {
        throw new IllegalStateException("a patch with no base: " + event.encode() + " after " + base);
      }
      event.put("data", apply(base.getValue("data"), event.remove("patch"))).put("viaPatch", true);
    }
    last.put(topic, event);
  }

  /** RFC 7386's MergePatch(Target, Patch). */
  public static Object apply(Object target, Object patch) {
    if (!(patch instanceof JsonObject changes)) {
      return patch;
    }
    JsonObject result = target instanceof JsonObject object ? object.copy() : new JsonObject();
    for (String key : changes.fieldNames()) {
      Object value = changes.getValue(key);
      if (value == null) {
        result.remove(key);
      } else {
        result.put(key, apply(result.getValue(key), value));
      }
    }
    return result;
  }
}
