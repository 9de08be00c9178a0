package io.pushgateway.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client written by hand on a plain socket, as an attacker would: it sends whatever
 * frames it likes (compressed or not, fragmented, masked as RFC 6455 §5.3 requires) and reads
 * only when told to, so a test can stop reading altogether.
 */
public final class RawWebSocket implements AutoCloseable {

  public static final int CONTINUATION = 0x0;
  public static final int TEXT = 0x1;
  public static final int BINARY = 0x2;
  public static final int CLOSE = 0x8;
  public static final int PING = 0x9;
  public static final int PONG = 0xA;

  /** One frame from the server; {@code closeCode} is -1 unless it is a close frame with a code. */
  public record Frame(int opcode, boolean fin, boolean rsv1, byte[] payload) {
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    public int closeCode() {
      return opcode == CLOSE && payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  /** The server's Sec-WebSocket-Extensions answer, or null. */
  public final String extensions;

  private RawWebSocket(Socket socket, DataInputStream in, String extensions) throws IOException {
    this.socket = socket;
    this.in = in;
    this.out = socket.getOutputStream();
    this.extensions = extensions;
  }

  /** Opens with the default socket buffers. */
  public static RawWebSocket open(int port, String path, String offer) throws IOException {
    return open(port, path, offer, 0);
  }

  /**
   * {@code offer}: a Sec-WebSocket-Extensions value, or null; {@code receiveBuffer}: a small
   * receive buffer (bytes, 0 for the default) makes a client that does not read fill up soon.
   */
  public static RawWebSocket open(int port, String path, String offer, int receiveBuffer) throws IOException {
    Socket socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer); // before connecting, so the window is small from the start
    }
    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    socket.setSoTimeout(10_000);
    byte[] key = new byte[16];
    ThreadLocalRandom.current().nextBytes(key);
    String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
      + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
      + Base64.getEncoder().encodeToString(key) + "\r\n"
      + (offer == null ? "" : "Sec-WebSocket-Extensions: " + offer + "\r\n") + "\r\n";
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    DataInputStream in = new DataInputStream(socket.getInputStream());
    String status = line(in);
    if (!status.startsWith("HTTP/1.1 101")) {
      socket.close();
      throw new IOException("no upgrade: " + status);
    }
    String extensions = null;
    for (String header = line(in); !header.isEmpty(); header = line(in)) {
      if (header.toLowerCase().startsWith("sec-websocket-extensions:")) {
        extensions = header.substring(header.indexOf(':') + 1).trim();
      }
    }
    return new RawWebSocket(socket, in, extensions);
  }

  private static String line(DataInputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) {
        throw new EOFException("connection closed during the handshake");
      }
      if (b != '\r') {
        bytes.write(b);
      }
    }
    return bytes.toString(StandardCharsets.US_ASCII);
  }

  public void sendText(String text) throws IOException {
    send(TEXT, true, false, text.getBytes(StandardCharsets.UTF_8));
  }

  /** One frame, masked as a client's must be. */
  public void send(int opcode, boolean fin, boolean rsv1, byte[] payload) throws IOException {
    out.write(frame(opcode, fin, rsv1, payload.length, payload));
  }

  /** A frame whose header announces {@code length} payload bytes, of which only {@code start} follow. */
  public void sendStart(int opcode, boolean fin, long length, byte[] start) throws IOException {
    out.write(frame(opcode, fin, false, length, start));
  }

  /** Frames in one write, so the server reads them together. */
  public void sendTogether(byte[]... frames) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (byte[] frame : frames) {
      bytes.write(frame);
    }
    out.write(bytes.toByteArray());
  }

  /** A masked frame's bytes: a header announcing {@code length} payload bytes, then {@code payload}. */
  public static byte[] frame(int opcode, boolean fin, boolean rsv1, long length, byte[] payload) {
    ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
    frame.write((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode);
    if (length < 126) {
      frame.write(0x80 | (int) length);
    } else if (length < 65536) {
      frame.write(0x80 | 126);
      frame.write((int) (length >>> 8));
      frame.write((int) (length & 0xFF));
    } else {
      frame.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        frame.write((int) (length >>> shift) & 0xFF);
      }
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    frame.write(mask, 0, 4);
    byte[] masked = new byte[payload.length];
    for (int i = 0; i < payload.length; i++) {
      masked[i] = (byte) (payload[i] ^ mask[i & 3]);
    }
    frame.write(masked, 0, masked.length);
    return frame.toByteArray();
  }

  /** The next frame; throws EOFException when the server has closed the connection. */
  public Frame read() throws IOException {
    int first = in.readUnsignedByte();
    int second = in.readUnsignedByte();
    long length = second & 0x7F;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    byte[] payload = new byte[Math.toIntExact(length)];
    in.readFully(payload);
    return new Frame(first & 0x0F, (first & 0x80) != 0, (first & 0x40) != 0, payload);
  }

  /** The next text frame, skipping pings. */
  public Frame readText() throws IOException {
    for (Frame frame = read(); ; frame = read()) {
      if (frame.opcode() != PING) {
        return frame;
      }
    }
  }

  /**
   * Reads until the server's close frame and returns its code, or -1 when the connection ended
   * without one (reset, or closed before the frame could be written).
   */
  public int readUntilClose() throws IOException {
    try {
      for (Frame frame = read(); ; frame = read()) {
        if (frame.opcode() == CLOSE) {
          return frame.closeCode();
        }
      }
    } catch (EOFException | SocketException gone) {
      return -1;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
