package io.pushgateway.client;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Map;

/** RFC 7386's MergePatch(Target, Patch), as deltas need it (docs/PROTOCOL.md, "Deltas"). */
final class MergePatch {

  private MergePatch() {
  }

  /** {@code target} with {@code patch} applied; {@code target} itself is left as it was. */
  static JsonElement apply(JsonElement target, JsonElement patch) {
    if (!patch.isJsonObject()) {
      return patch;
    }
    JsonObject result = new JsonObject();
    if (target != null && target.isJsonObject()) {
      for (Map.Entry<String, JsonElement> member : target.getAsJsonObject().entrySet()) {
        result.add(member.getKey(), member.getValue());
      }
    }
    for (Map.Entry<String, JsonElement> change : patch.getAsJsonObject().entrySet()) {
      if (change.getValue().isJsonNull()) {
        result.remove(change.getKey());
      } else {
        result.add(change.getKey(), apply(result.get(change.getKey()), change.getValue()));
      }
    }
    return result;
  }
}
