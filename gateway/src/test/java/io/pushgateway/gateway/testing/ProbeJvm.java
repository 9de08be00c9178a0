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
 * JVMs of their own for the tests: {@link #command} starts a class (a gateway as its own process,
 * to kill or signal), {@link #run} a measurement that no other test's leftovers may move, returning
 * the first line of its output that {@code result} matches.
 */
public final class ProbeJvm {
  private ProbeJvm() {
  }

  /**
   * The command that runs {@code main} with {@code args} in a JVM like this one, with the tests'
   * classpath and {@code jvmOptions}; its error output goes with its standard output.
   */
  public static ProcessBuilder command(Class<?> main, List<String> jvmOptions, List<String> args) {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", classpath, main.getName()));
    cmd.addAll(args);
    return new ProcessBuilder(cmd).redirectErrorStream(true);
  }

  public static Matcher run(Class<?> main, List<String> jvmOptions, Pattern result) throws Exception {
    Process probe = command(main, jvmOptions, List.of()).start();
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
