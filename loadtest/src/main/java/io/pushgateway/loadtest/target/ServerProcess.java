package io.pushgateway.loadtest.target;

import io.pushgateway.loadtest.client.Endpoint;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/** A server the load test started as a process of its own on a loopback port, and stops. */
abstract class ServerProcess implements Target {
  protected final Process process;
  protected final Endpoint endpoint;

  ServerProcess(Process process, Endpoint endpoint) {
    this.process = process;
    this.endpoint = endpoint;
  }

  @Override
  public List<Endpoint> endpoints() {
    return List.of(endpoint);
  }

  /** The process started; its CPU and memory are read with its descendants'. */
  @Override
  public OptionalLong pid() {
    return OptionalLong.of(process.pid());
  }

  /** SIGTERM first, so the server stops as in production (the gateway drains), then SIGKILL if it hangs. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
