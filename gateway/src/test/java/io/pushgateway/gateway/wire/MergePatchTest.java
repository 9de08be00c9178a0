package io.pushgateway.gateway.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.PatchReader;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MergePatchTest {

  private static String patch(String base, String target) {
    byte[] patch = MergePatch.between(base.getBytes(StandardCharsets.UTF_8), target.getBytes(StandardCharsets.UTF_8));
    return patch == null ? null : new String(patch, StandardCharsets.UTF_8);
  }

  @Test
  void aPatchCarriesWhatChangedAsThePublisherWroteIt() {
    String base = "{\"sym\":\"ACME\",\"bid\":101.50,\"ask\":101.70,\"venue\":{\"id\":7,\"name\":\"X\"},\"halted\":false}";
    String target = "{\"sym\":\"ACME\",\"bid\":101.55,\"ask\":101.70,\"venue\":{\"id\":7,\"name\":\"Y\"},\"halted\":false}";
    // 101.55 kept as written: the values are the publisher's bytes, never re-encoded
    assertThat(patch(base, target)).isEqualTo("{\"bid\":101.55,\"venue\":{\"name\":\"Y\"}}");
  }

  @Test
  void removedMembersAreNullAndNewOnesAreAdded() {
    assertThat(patch("{\"a\":1,\"b\":2,\"c\":[1,2,3],\"d\":\"long enough to pay\"}",
      "{\"a\":1,\"c\":[1,2,3],\"d\":\"long enough to pay\",\"e\":{\"f\":[null]}}"))
      .isEqualTo("{\"e\":{\"f\":[null]},\"b\":null}");
  }

  @Test
  void anUnchangedObjectIsAnEmptyPatch() {
    assertThat(patch("{\"price\": 101.5, \"sym\": \"ACME\"}", "{\"price\":101.5,\"sym\":\"ACME\"}")).isEqualTo("{}");
  }

  @Test
  void whatAMergePatchCannotSayGetsNone() {
    String longer = ",\"pad\":\"a member long enough for a patch to pay\"}";
    // a member set to null: null means "remove" in a patch
    assertThat(patch("{\"a\":1" + longer, "{\"a\":null" + longer)).isNull();
    // a new object with a null member would lose it, merged into nothing
    assertThat(patch("{\"a\":1" + longer, "{\"a\":{\"b\":null}" + longer)).isNull();
    assertThat(patch("{\"a\":{\"b\":1}" + longer, "{\"a\":{\"b\":null}" + longer)).isNull();
    // a null kept as it was is no change
    assertThat(patch("{\"a\":null,\"b\":1" + longer, "{\"a\":null,\"b\":2" + longer)).isEqualTo("{\"b\":2}");
    // data that is not an object
    assertThat(patch("[1,2,3,4,5,6,7,8,9]", "[1,2,3,4,5,6,7,8,0]")).isNull();
    assertThat(patch("{\"a\":1}", "\"a string\"")).isNull();
    assertThat(patch("12", "{\"a\":1" + longer)).isNull();
    // a member twice: which one counts is each parser's guess
    assertThat(patch("{\"a\":1,\"a\":2" + longer, "{\"a\":3" + longer)).isNull();
  }

  /** Each level is scanned again: a change deeper than the bound gets no patch, so a publisher cannot make one cost much. */
  @Test
  void aChangeNestedDeeperThanTheBoundGetsNone() {
    String pad = ",\"pad\":\"a member long enough for a patch to pay\"}";
    assertThat(patch(nested(MergePatch.MAX_DEPTH - 1, "1") + pad, nested(MergePatch.MAX_DEPTH - 1, "2") + pad))
      .isEqualTo("{\"a\":".repeat(MergePatch.MAX_DEPTH - 1) + "{\"v\":2}" + "}".repeat(MergePatch.MAX_DEPTH - 1));
    assertThat(patch(nested(MergePatch.MAX_DEPTH, "1") + pad, nested(MergePatch.MAX_DEPTH, "2") + pad)).isNull();
    // the deepest Jackson lets a publisher send
    assertThat(patch(nested(990, "1") + pad, nested(990, "2") + pad)).isNull();
  }

  /** {@code {"a":{"a":…{"v":value}…}} with {@code depth} objects around the innermost, the outermost left open. */
  private static String nested(int depth, String value) {
    return "{\"a\":".repeat(depth) + "{\"v\":" + value + "}" + "}".repeat(depth - 1);
  }

  @Test
  void aPatchNoShorterThanTheDataIsNotSent() {
    assertThat(patch("{\"a\":1}", "{\"a\":2}")).isNull();
    assertThat(patch("{\"a\":1,\"b\":2}", "{\"c\":3}")).isNull();
  }

  @Test
  void keysAreComparedDecodedAndWrittenAsSent() {
    String pad = ",\"pad\":\"a member long enough for a patch to pay\"}";
    // "\u0061" is "a": the same member, changed
    assertThat(patch("{\"a\":1" + pad, "{\"\\u0061\":2" + pad)).isEqualTo("{\"\\u0061\":2}");
    assertThat(patch("{\"q\\\"x\":1,\"é\":[\"}\",\"]\"]" + pad, "{\"q\\\"x\":2,\"é\":[\"}\",\"]\"]" + pad))
      .isEqualTo("{\"q\\\"x\":2}");
  }

  @Test
  void appliedToItsBaseAPatchGivesTheTargetForAnyData() {
    Random random = new Random(7386);
    int patched = 0;
    for (int round = 0; round < 5_000; round++) {
      JsonObject base = randomObject(random, 0);
      JsonObject target = mutated(random, base, 0);
      String patch = patch(base.encode(), target.encode());
      if (patch == null) {
        continue;
      }
      patched++;
      assertThat(patch.getBytes(StandardCharsets.UTF_8)).hasSizeLessThan(target.encode().getBytes(StandardCharsets.UTF_8).length);
      Object applied = PatchReader.apply(base.copy(), Json.decodeValue(patch));
      assertThat(applied).as("base %s, target %s, patch %s", base, target, patch).isEqualTo(target);
    }
    assertThat(patched).isGreaterThan(2_500); // most pairs get a patch: the check above ran
  }

  private static JsonObject randomObject(Random random, int depth) {
    JsonObject object = new JsonObject();
    int members = 1 + random.nextInt(8);
    for (int i = 0; i < members; i++) {
      object.put(key(random), randomValue(random, depth));
    }
    return object;
  }

  private static String key(Random random) {
    String[] keys = {"a", "b", "price", "qty", "venue", "é", "q\"x", "sp ace", "n"};
    return keys[random.nextInt(keys.length)];
  }

  private static Object randomValue(Random random, int depth) {
    return switch (random.nextInt(depth < 3 ? 7 : 5)) {
      case 0 -> random.nextInt(1000);
      case 1 -> random.nextDouble();
      case 2 -> "s" + random.nextInt(50) + "\"}]";
      case 3 -> random.nextBoolean();
      case 4 -> random.nextInt(10) == 0 ? null : "x";
      case 5 -> randomObject(random, depth + 1);
      default -> new JsonArray(List.of(1, "}", new JsonObject().put("z", random.nextInt(3))));
    };
  }

  /** {@code base} with some members changed, removed or added, nested objects likewise. */
  private static JsonObject mutated(Random random, JsonObject base, int depth) {
    JsonObject target = base.copy();
    for (String key : new ArrayList<>(base.fieldNames())) {
      int roll = random.nextInt(10);
      if (roll == 0) {
        target.remove(key);
      } else if (roll < 3) {
        target.put(key, randomValue(random, depth));
      } else if (roll < 5 && base.getValue(key) instanceof JsonObject inner) {
        target.put(key, mutated(random, inner, depth + 1));
      }
    }
    if (random.nextInt(4) == 0) {
      target.put(key(random) + random.nextInt(3), randomValue(random, depth));
    }
    return target;
  }
}
