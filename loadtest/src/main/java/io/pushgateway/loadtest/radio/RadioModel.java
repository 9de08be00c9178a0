package io.pushgateway.loadtest.radio;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A phone radio's resource-control state machine, as data: the states it can hold a connection in
 * (highest power first), how long each stays after the last packet before dropping to the next,
 * which packets each can carry, and what a promotion out of a lower state costs. The built-in
 * models ({@code lte}, {@code 3g}, {@code wifi}) are JSON files beside this class, every figure
 * with its source; a user's own file in the same format overrides any of them.
 *
 * @param idle       the state with no connection; its power is the floor the energy is counted above
 * @param states     connected states, highest power first; a state's timer drops it to the next, the
 *                   last one's to idle
 * @param promotions the promotions the network makes: from idle (always present) and between states
 */
public record RadioModel(String name, String title, List<String> sources, String idleName, double idlePowerMw,
                         List<State> states, List<Promotion> promotions, double upMwPerMbps, double downMwPerMbps,
                         JsonObject json) {

  public static final List<String> BUILT_IN = List.of("lte", "3g", "wifi");

  /**
   * @param maxUpBytes   largest packet this state can send without a promotion, or -1 for any
   * @param maxDownBytes largest packet it can receive without a promotion, or -1 for any
   */
  public record State(String name, double powerMw, double inactivitySeconds, int maxUpBytes, int maxDownBytes) {
    boolean carries(int packetBytes, boolean up) {
      int max = up ? maxUpBytes : maxDownBytes;
      return max < 0 || packetBytes <= max;
    }
  }

  /** {@code from} is the idle state's name or a state's index; {@code to} a state's index. */
  public record Promotion(int from, int to, double seconds, double powerMw) {
  }

  /** {@code lte}, {@code 3g}, {@code wifi} or the path of a JSON file in their format. */
  public static RadioModel load(String nameOrPath) {
    String name = nameOrPath.toLowerCase(Locale.ROOT);
    if (BUILT_IN.contains(name)) {
      try (InputStream in = RadioModel.class.getResourceAsStream("/radio/" + name + ".json")) {
        return parse(new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
      } catch (IOException e) {
        throw new UncheckedIOException("reading the built-in radio model " + name, e);
      }
    }
    Path file = Path.of(nameOrPath);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--radio '" + nameOrPath + "': expected lte, 3g, wifi, none or a JSON file");
    }
    try {
      return parse(new JsonObject(Files.readString(file)));
    } catch (IOException e) {
      throw new UncheckedIOException("reading the radio model " + file, e);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("radio model " + file + ": " + e.getMessage(), e);
    }
  }

  public static RadioModel parse(JsonObject json) {
    JsonObject idle = required(json, "idle");
    String idleName = idle.getString("name", "idle");
    JsonArray stateArray = json.getJsonArray("states");
    if (stateArray == null || stateArray.isEmpty()) {
      throw new IllegalArgumentException("'states' must list at least one connected state");
    }
    List<State> states = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < stateArray.size(); i++) {
      JsonObject s = stateArray.getJsonObject(i);
      State state = new State(s.getString("name", "state " + i), nonNegative(s, "powerMw"),
        positive(s, "inactivitySeconds"), s.getInteger("maxUpBytes", -1), s.getInteger("maxDownBytes", -1));
      states.add(state);
      names.add(state.name());
    }
    if (!states.get(0).carries(Integer.MAX_VALUE, true) || !states.get(0).carries(Integer.MAX_VALUE, false)) {
      throw new IllegalArgumentException("the first (highest) state must carry packets of any size");
    }
    List<Promotion> promotions = new ArrayList<>();
    JsonArray promotionArray = json.getJsonArray("promotions", new JsonArray());
    for (int i = 0; i < promotionArray.size(); i++) {
      JsonObject p = promotionArray.getJsonObject(i);
      String from = p.getString("from", "");
      int fromIndex = from.equals(idleName) ? states.size() : names.indexOf(from);
      int toIndex = names.indexOf(p.getString("to", ""));
      if (fromIndex < 0 || toIndex < 0 || toIndex >= fromIndex) {
        throw new IllegalArgumentException("promotion " + p.encode() + ": 'from' and 'to' must name the idle state or "
          + "states, 'to' one of higher power");
      }
      promotions.add(new Promotion(fromIndex, toIndex, nonNegative(p, "seconds"), nonNegative(p, "powerMw")));
    }
    if (promotions.stream().noneMatch(p -> p.from() == states.size())) {
      throw new IllegalArgumentException("'promotions' must say where a packet takes the radio from " + idleName);
    }
    JsonObject transfer = json.getJsonObject("transfer", new JsonObject());
    List<String> sources = json.getJsonArray("sources", new JsonArray()).stream().map(String::valueOf).toList();
    return new RadioModel(json.getString("name", "custom"), json.getString("title", ""), sources, idleName,
      nonNegative(idle, "powerMw"), List.copyOf(states), List.copyOf(promotions),
      transfer.getDouble("upMwPerMbps", 0.0), transfer.getDouble("downMwPerMbps", 0.0), json);
  }

  /** Index of the idle state in the simulation: one past the connected states. */
  int idleIndex() {
    return states.size();
  }

  double powerMw(int state) {
    return state == idleIndex() ? idlePowerMw : states.get(state).powerMw();
  }

  String stateName(int state) {
    return state == idleIndex() ? idleName : states.get(state).name();
  }

  /** The lowest-power connected state that can carry a packet of this size and direction. */
  int lowestStateCarrying(int packetBytes, boolean up) {
    for (int i = states.size() - 1; i >= 0; i--) {
      if (states.get(i).carries(packetBytes, up)) {
        return i;
      }
    }
    return 0;
  }

  /**
   * The promotion the network makes from {@code from} for a packet that needs at least state
   * {@code needed}: the listed one reaching that high (from idle it may go higher, as 3G's carrier
   * 1 always promotes to DCH), or an instant move when none is listed.
   */
  Promotion promotion(int from, int needed) {
    Promotion best = null;
    for (Promotion p : promotions) {
      if (p.from() == from && p.to() <= needed && (best == null || p.to() > best.to())) {
        best = p;
      }
    }
    return best != null ? best : new Promotion(from, needed, 0, 0);
  }

  /** Energy of moving one byte, above the state's own power (joules). */
  double joulesPerByte(boolean up) {
    // alpha mW per Mbit/s: at any throughput a byte takes 8 / (r x 1e6) s at alpha x r mW more
    return (up ? upMwPerMbps : downMwPerMbps) * 8e-9;
  }

  private static JsonObject required(JsonObject json, String key) {
    JsonObject o = json.getJsonObject(key);
    if (o == null) {
      throw new IllegalArgumentException("'" + key + "' is missing");
    }
    return o;
  }

  private static double nonNegative(JsonObject o, String key) {
    Double v = o.getDouble(key);
    if (v == null || !(v >= 0)) {
      throw new IllegalArgumentException("'" + key + "' must be a number of at least 0 in " + o.encode());
    }
    return v;
  }

  private static double positive(JsonObject o, String key) {
    double v = nonNegative(o, key);
    if (v == 0) {
      throw new IllegalArgumentException("'" + key + "' must be above 0 in " + o.encode());
    }
    return v;
  }
}
