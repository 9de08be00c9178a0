package io.pushgateway.gateway.testing;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One kept-alive HTTP/1.1 connection over a plain socket: requests go out byte for byte as
 * written (several at once, pipelined, if asked), answers are read in order, each by its
 * {@code Content-Length}. Every read is bounded by the socket's timeout.
 */
public final class KeepAliveHttp implements AutoCloseable {

  private final Socket socket = new Socket();
  private final DataInputStream in;

  public KeepAliveHttp(int port) throws IOException {
    this(port, 0);
  }

  /** With a receive buffer of {@code receiveBufferBytes} (0: the system's), set before connecting. */
  public KeepAliveHttp(int port, int receiveBufferBytes) throws IOException {
    if (receiveBufferBytes > 0) {
      socket.setReceiveBufferSize(receiveBufferBytes);
    }
    socket.setSoTimeout(15_000);
    socket.connect(new InetSocketAddress("127.0.0.1", port));
    in = new DataInputStream(socket.getInputStream());
  }

  /** {@code GET target} with {@code Host} and the given header lines, as one request's bytes. */
  public static String get(String target, String... headerLines) {
    StringBuilder request = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (String line : headerLines) {
      request.append(line).append("\r\n");
    }
    return request.append("\r\n").toString();
  }

  /** Writes {@code requests} in one write. */
  public void send(String requests) throws IOException {
    socket.getOutputStream().write(requests.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
  }

  /** Sends {@code request} and reads its answer. */
  public Answer exchange(String request) throws IOException {
    send(request);
    return read();
  }

  /** The next answer on the connection. */
  public Answer read() throws IOException {
    String status = line();
    List<String> headers = new ArrayList<>();
    int length = 0;
    for (String line = line(); !line.isEmpty(); line = line()) {
      headers.add(line);
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    byte[] body = new byte[length];
    in.readFully(body);
    return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
  }

  /** Whether the server closed the connection: the next read finds its end. */
  public boolean closedByServer() throws IOException {
    return in.read() == -1;
  }

  private String line() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b == -1) {
        throw new IOException("the connection closed after " + line);
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** One answer: its status line, its header lines as sent, its body. */
  public record Answer(String statusLine, List<String> headers, String body) {

    public int status() {
      return Integer.parseInt(statusLine.substring(9, 12));
    }

    public JsonObject json() {
      return new JsonObject(body);
    }

    /** The header lines but {@code Content-Length}, which differs with the body. */
    public List<String> headersButLength() {
      return headers.stream().filter(h -> !h.toLowerCase(Locale.ROOT).startsWith("content-length:")).toList();
    }

    public String errorCode() {
      return json().getJsonObject("error").getString("code");
    }
  }
}
