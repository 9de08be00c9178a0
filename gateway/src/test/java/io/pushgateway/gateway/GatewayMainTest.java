package io.pushgateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.internal.PlatformDependent;
import io.pushgateway.gateway.config.GatewayConfig;
import io.pushgateway.gateway.testing.ProbeJvm;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line: its help is generated from {@link GatewayConfig#OPTIONS}, its flags set them. */
class GatewayMainTest {

  @Test
  void theHelpShowsEveryOptionWithItsDefaultFromTheOptionList() {
    String help = flat(GatewayMain.commandLine().getUsageMessage());
    for (GatewayConfig.Option option : GatewayConfig.OPTIONS) {
      assertThat(help).as(option.key()).contains(flat(option.key() + "=" + option.defaultValue() + option.description()));
    }
    // a flag's own line says the same as its option
    assertThat(help).contains(flat("--port=PORT " + GatewayMain.help(option("port"))));
    assertThat(help).contains(flat("--demo-rate=N " + GatewayMain.help(option("demoRate"))));
  }

  @Test
  void flagsSetTheirOptions() throws Exception {
    CommandLine commandLine = GatewayMain.commandLine();
    commandLine.parseArgs("--port", "9000", "--demo", "--demo-rate", "5.5", "--allowed-origins", "*",
      "--webroot", "/srv/www", "--set", "historySize=7");
    JsonObject json = commandLine.<GatewayMain>getCommand().mergedConfig();
    GatewayConfig config = GatewayConfig.fromJson(json);
    assertThat(config.port()).isEqualTo(9000);
    assertThat(config.demo()).isTrue();
    assertThat(config.demoRate()).isEqualTo(5.5);
    assertThat(config.allowedOrigins()).containsExactly("*");
    assertThat(config.webRoot()).isEqualTo("/srv/www");
    assertThat(config.historySize()).isEqualTo(7);
    assertThat(config.cluster()).isFalse();
  }

  @Test
  void unsetFlagsLeaveTheDefaults() throws Exception {
    CommandLine commandLine = GatewayMain.commandLine();
    commandLine.parseArgs();
    JsonObject json = commandLine.<GatewayMain>getCommand().mergedConfig();
    assertThat(json.fieldNames()).doesNotContain("port", "demo", "cluster", "host");
  }

  @Test
  void aMisspeltEnvironmentVariableStopsStartUpNamingIt() throws Exception {
    ProcessBuilder command = ProbeJvm.command(GatewayMain.class, List.of(),
      List.of("--port", "0", "--host", "127.0.0.1"));
    command.environment().put("PUSH_GATEWAY_HISTROY_SIZE", "5");
    Process gateway = command.start();
    try {
      assertThat(gateway.waitFor(60, TimeUnit.SECONDS)).as("the gateway stopped by itself").isTrue();
      String output = new String(gateway.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(gateway.exitValue()).as(output).isEqualTo(2);
      assertThat(output).contains("PUSH_GATEWAY_HISTROY_SIZE").doesNotContain("listening on");
    } finally {
      gateway.destroyForcibly();
    }
  }

  @Test
  void nettysFlightRecorderEventsStayOffUnlessAskedFor() throws Exception {
    Pattern result = Pattern.compile("jfr=(\\w+)");
    assertThat(ProbeJvm.run(NettyProbe.class, List.of(), result).group(1)).isEqualTo("false");
    assertThat(ProbeJvm.run(NettyProbe.class, List.of("-Dio.netty.jfr.enabled=true"), result).group(1))
      .isEqualTo("true");
  }

  /** Says whether Netty records its flight-recorder events once the command's class is ready. */
  public static final class NettyProbe {
    public static void main(String[] args) throws Exception {
      Class.forName(GatewayMain.class.getName());
      System.out.println("jfr=" + PlatformDependent.isJfrEnabled());
    }
  }

  private static GatewayConfig.Option option(String key) {
    return GatewayConfig.OPTIONS.stream().filter(o -> o.key().equals(key)).findFirst().orElseThrow();
  }

  /** Without whitespace and with picocli's doubled percent signs undone: the help wraps lines. */
  private static String flat(String text) {
    return text.replace("%%", "%").replaceAll("\\s+", "");
  }
}
