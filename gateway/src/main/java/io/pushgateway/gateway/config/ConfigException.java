package io.pushgateway.gateway.config;

/** A configuration value the gateway cannot start with; the message names the key. */
public final class ConfigException extends RuntimeException {

  private final String key;

  public ConfigException(String key, String problem) {
    super("Invalid configuration '" + key + "': " + problem);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
