// What working out a delta costs the gateway: the time of MergePatch.between, once per event, for
// the quotes and dashboards of DeltaCost.java, after a warm-up, single-threaded. Runs from the
// gateway's jar:
//
//   java -cp gateway/target/push-gateway.jar loadtest/scripts/PatchCost.java [--seconds 5]

import io.pushgateway.gateway.wire.MergePatch;
import java.nio.charset.StandardCharsets;
import java.util.Random;

public class PatchCost {

  static String quote(Random random, long n) {
    double mid = 100 + (n % 500) / 100.0;
    return String.format("{\"sym\":\"ACME\",\"name\":\"Acme Corporation, common stock\",\"exchange\":\"XNAS\","
        + "\"currency\":\"USD\",\"bid\":%.2f,\"ask\":%.2f,\"bidSize\":%d,\"askSize\":%d,\"last\":%.2f,\"volume\":%d,"
        + "\"open\":100.10,\"high\":105.30,\"low\":99.80,\"status\":\"trading\"}",
      mid - 0.01, mid + 0.02, 100 * (1 + random.nextInt(9)), 100 * (1 + random.nextInt(9)), mid, 1_000_000 + 37 * n);
  }

  static String dashboard(Random random, long n, int[] gauges) {
    gauges[(int) (n % gauges.length)] = random.nextInt(1000);
    StringBuilder json = new StringBuilder("{\"title\":\"Fleet overview\",\"refreshed\":").append(n).append(",\"hosts\":{");
    for (int host = 0; host < 8; host++) {
      json.append(host == 0 ? "" : ",").append("\"web-").append(host).append("\":{");
      String[] names = {"cpu", "memory", "disk", "rps", "errors"};
      for (int g = 0; g < names.length; g++) {
        json.append(g == 0 ? "" : ",").append('"').append(names[g]).append("\":").append(gauges[host * 5 + g]);
      }
      json.append('}');
    }
    return json.append("}}").toString();
  }

  public static void main(String[] args) {
    int seconds = args.length > 1 && args[0].equals("--seconds") ? Integer.parseInt(args[1]) : 5;
    for (String shape : new String[] {"quote", "dashboard"}) {
      Random random = new Random(42);
      int[] gauges = new int[40];
      byte[][] data = new byte[1024][];
      long bytes = 0;
      for (int i = 0; i < data.length; i++) {
        data[i] = (shape.equals("quote") ? quote(random, i) : dashboard(random, i, gauges)).getBytes(StandardCharsets.UTF_8);
        bytes += data[i].length;
      }
      long patchBytes = 0;
      for (int round = 0; round < 2; round++) { // the first round warms up
        long patches = 0;
        long sink = 0;
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
          for (int i = 1; i < data.length; i++) {
            byte[] patch = MergePatch.between(data[i - 1], data[i]);
            sink += patch == null ? 0 : patch.length;
          }
          patches += data.length - 1;
        }
        double micros = (System.nanoTime() - start) / 1000.0 / patches;
        patchBytes = sink / Math.max(1, patches / (data.length - 1));
        if (round == 1) {
          System.out.printf("%s: %.0f B of data on average, patch %.0f B on average, %.2f µs per patch%n", shape,
            (double) bytes / data.length, (double) patchBytes / (data.length - 1), micros);
        }
      }
    }
  }
}
