package io.pushgateway.loadtest.target;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessStatsTest {

  @Test
  void theJitCompilersShareOfThisJvmsCpuIsFoundAndIsPartOfIt() {
    long pid = ProcessHandle.current().pid();
    // this JVM has loaded and compiled a test framework by now: its compiler threads have worked
    long jit = ProcessStats.compilerCpuMillis(pid).orElseThrow();
    long all = ProcessStats.cpuMillis(pid).orElseThrow();
    assertThat(jit).isPositive().isLessThanOrEqualTo(all);
  }

  @Test
  void aProcessThatIsNotThereHasNoFigures() {
    assertThat(ProcessStats.compilerCpuMillis(Long.MAX_VALUE)).isEmpty();
    assertThat(ProcessStats.cpuMillis(Long.MAX_VALUE)).isEmpty();
  }
}
