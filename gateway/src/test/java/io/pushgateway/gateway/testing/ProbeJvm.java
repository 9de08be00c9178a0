package io.pushgateway.gateway.testing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A measurement in a JVM of its own, so no other test's leftovers move its figures: runs
 * {@code main} with the tests' classpath and {@code jvmOptions}, and returns the first line of its
 * output that {@code result} matches.
 */
public final class ProbeJvm {
  private ProbeJvm() {
  }

  public static Matcher run(Class<?> main, List<String> jvmOptions, Pattern result) throws Exception {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", classpath, main.getName()));
    Process probe = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      List<String> output = new ArrayList<>();
      try (BufferedReader in = new BufferedReader(new InputStreamReader(probe.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          output.add(line);
          Matcher m = result.matcher(line);
          if (m.find()) {
            return m;
          }
        }
      }
      throw new AssertionError("no line like " + result + " in the probe's output: " + output);
    } finally {
      probe.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
