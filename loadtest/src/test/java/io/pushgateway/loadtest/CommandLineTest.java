package io.pushgateway.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Bad options are refused before anything starts, with a message that names the option. */
class CommandLineTest {

  private record Outcome(int code, String out, String err) {
  }

  private static Outcome execute(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new LoadTestMain());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Outcome(code, out.toString(), err.toString());
  }

  @Test
  void helpListsTheOptions() {
    Outcome o = execute("--help");
    assertThat(o.code()).isZero();
    assertThat(o.out()).contains("--target", "--subscribers", "--transports", "--rate", "--payload", "--duration",
      "--warmup", "--poll-interval", "--concurrent", "--sweep", "--out", "--network", "--rtt", "--bandwidth",
      "--baseline", "--compression", "--payload-fill", "--peer", "--peer-url", "--radio");
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
    "--rate;0;--rate must be above 0",
    "--subscribers;0;--subscribers must be at least 1",
    "--transports;ws,carrier-pigeon;unknown transport 'carrier-pigeon'",
    "--poll-interval;5;--poll-interval must be 10 to 600000 ms",
    "--network;5g;unknown network profile '5g'",
    "--bandwidth;fast;bandwidth 'fast'",
    "--sweep;color=red,blue;unknown parameter 'color'",
    "--sweep;poll-interval=100;at least two values",
    "--sweep;payload=10,-1;'-1' is not a positive whole number",
    "--target;ftp://host;expected http://HOST:PORT",
    "--duration;0;--duration must be above 0",
    "--payload-fill;zigzag;unknown payload fill 'zigzag'",
    "--peer;carrier-pigeon;unknown peer 'carrier-pigeon'",
    "--radio;5g;expected lte, 3g, wifi, none or a JSON file",
    "--sweep;heartbeat=15;at least two values",
  })
  void refusesWithAClearMessage(String option, String value, String message) {
    Outcome o = execute(option, value);
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).contains(message);
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
    "--target http://127.0.0.1:8080;--compression starts its own gateways: drop --target",
    "--transports sse;--compression needs the ws transport",
    "--concurrent;--compression compares WebSocket runs one at a time",
  })
  void refusesCompressionWhereItCannotCompare(String others, String message) {
    String[] args = ("--compression " + others).split(" ");
    Outcome o = execute(args);
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).contains(message);
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {
    "--peer nchan --payload-kind binary --payload 64;peers get text events only",
    "--peer nchan --publish-batch 10;peers get events one by one",
    "--peer nchan --client java;the Java client speaks the gateway's protocol only",
    "--peer-url http://127.0.0.1:9200;--peer-url names a running peer: give --peer nchan",
  })
  void refusesWhatAPeerCannotDo(String args, String message) {
    Outcome o = execute(args.split(" "));
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).contains(message);
  }

  @Test
  void refusesMoreSocketsThanAProcessMayOpen() {
    Outcome o = execute("--subscribers", "2000", "--concurrent");
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err()).contains("24000 sockets");
  }
}
