package io.pushgateway.gateway.core;

import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * One accepted event: topic, id, timestamp, epoch and its JSON, serialized once by the log.
 * Immutable, and shared by reference by every event loop of the node (see {@link LocalCodec}).
 *
 * <p>What it looks like on a wire (a WebSocket frame, an SSE chunk) is not the core's business:
 * the wire layer builds those forms once per event and keeps them in {@link #wireForms()}, a
 * write-once slot the core never interprets, so every subscriber on the node gets the same bytes.
 */
public final class Event {

  private static final byte[] DATA_FIELD = "\"data\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DATA_KEY = "\"data\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CONTENT_TYPE_KEY = "\",\"contentType\":".getBytes(StandardCharsets.US_ASCII);

  private final String topic;
  private final long id;
  private final long ts;
  private final String epoch;
  /** Null for JSON data; else the media type of the bytes the data carries in base64. */
  private final String contentType;
  /** {@code {"topic":…,"id":…,"ts":…,"data":…}} in UTF-8; never handed out, only copied. */
  private final byte[] json;
  /** The idempotency key of the publish that made it, kept with it in history; usually null. */
  private final String key;
  private final Position position;
  /**
   * The JSON form of the topic's event just before it (id − 1, the same history), when both are
   * JSON data and the log had it at hand: what a patch from it is worked out from (see {@link
   * #follows}). The array alone, never the event, so no chain of events is kept alive.
   */
  private volatile byte[] previousJson;
  private volatile Object wireForms;

  private Event(String topic, long id, long ts, String epoch, String contentType, byte[] json, String key) {
    this.topic = topic;
    this.id = id;
    this.ts = ts;
    this.epoch = epoch;
    this.contentType = contentType;
    this.json = json;
    this.key = key;
    this.position = new Position(id, epoch);
  }

  /** Encodes an event whose data is already valid JSON text without line breaks. */
  public static Event encode(String topic, long id, long ts, String epoch, String dataJson) {
    return encode(topic, id, ts, epoch, dataJson, null);
  }

  /**
   * Encodes an event of JSON data ({@code contentType} null) or of bytes: then {@code dataJson} is
   * their base64 as a JSON string, and the JSON form says so, {@code
   * {"topic":…,"id":…,"ts":…,"data":"<base64>","contentType":"image/png","encoding":"base64"}}.
   */
  public static Event encode(String topic, long id, long ts, String epoch, String dataJson, String contentType) {
    return encode(topic, id, ts, epoch, dataJson, contentType, null);
  }

  /** The same for a publish that carried an idempotency key ({@link PublishKeys}), which its history keeps. */
  public static Event encode(String topic, long id, long ts, String epoch, String dataJson, String contentType,
                             String key) {
    // Topic names and content types need no escaping (see Topics, BinaryData), so plain
    // concatenation is valid JSON.
    String text = "{\"topic\":\"" + topic + "\",\"id\":" + id + ",\"ts\":" + ts + ",\"data\":" + dataJson
      + (contentType == null ? "}" : ",\"contentType\":\"" + contentType + "\",\"encoding\":\"base64\"}");
    // interned: subscribers hold the same instance (see LiveStream.subscribe), so the fan-out's
    // topic lookups match by identity
    return new Event(topic.intern(), id, ts, epoch, contentType, text.getBytes(StandardCharsets.UTF_8), key);
  }

  public String topic() {
    return topic;
  }

  public long id() {
    return id;
  }

  /** When the log accepted it, epoch milliseconds. */
  public long ts() {
    return ts;
  }

  public String epoch() {
    return epoch;
  }

  /** The idempotency key its publish carried, or null. */
  public String key() {
    return key;
  }

  /**
   * Whether a publish of {@code dataJson} and {@code contentType} would have made this very event:
   * a publish retried with its key must carry what the key's first publish did.
   */
  public boolean sameData(String dataJson, String contentType) {
    return Objects.equals(this.contentType, contentType)
      && Arrays.equals(json, encode(topic, id, ts, epoch, dataJson, contentType).json);
  }

  /**
   * A fingerprint of its content and content type ({@link PublishKeys#fingerprint}): two events
   * of one topic, id and timestamp have the same one exactly when their data does.
   */
  public long fingerprint() {
    return PublishKeys.fingerprint(contentType, json);
  }

  /** The media type of a binary event's bytes; null for JSON data. */
  public String contentType() {
    return contentType;
  }

  /** A binary event's bytes, decoded from the base64 its JSON form carries; null for JSON data. */
  public byte[] binaryData() {
    if (contentType == null) {
      return null;
    }
    int start = base64Start();
    return Base64.getDecoder().decode(new String(json, start, base64End(start) - start, StandardCharsets.US_ASCII));
  }

  /** How many bytes {@link #binaryData()} decodes to, without decoding them; -1 for JSON data. */
  public int binaryLength() {
    if (contentType == null) {
      return -1;
    }
    int start = base64Start();
    int end = base64End(start);
    int padding = end > start && json[end - 1] == '=' ? (json[end - 2] == '=' ? 2 : 1) : 0;
    return (end - start) / 4 * 3 - padding;
  }

  /** A JSON event's data alone, as a read-only view; a binary event has no such form. */
  public ByteBuffer dataJson() {
    if (contentType != null) {
      throw new IllegalStateException("a binary event's data is its bytes: " + this);
    }
    return dataOf(json);
  }

  /**
   * Tells it the topic's event before it, as the log appends it: when that is its id − 1 in the
   * same history and both are JSON data, {@link #previousDataJson()} is that event's data. Called
   * before the event is handed on.
   */
  public void follows(Event previous) {
    if (previous != null && previous.id + 1 == id && previous.epoch.equals(epoch) && previous.topic.equals(topic)
        && previous.contentType == null && contentType == null) {
      previousJson = previous.json;
    }
  }

  /** The data of the topic's event just before it (see {@link #follows}), a read-only view; null when not known. */
  public ByteBuffer previousDataJson() {
    byte[] previous = previousJson;
    return previous == null ? null : dataOf(previous);
  }

  private static ByteBuffer dataOf(byte[] json) {
    // the first "data": is the key: what comes before it (topic, id, ts) holds no quotes
    int start = indexOf(json, DATA_FIELD, 0) + DATA_FIELD.length;
    return ByteBuffer.wrap(json, start, json.length - 1 - start).asReadOnlyBuffer();
  }

  /** The base64 is the string right after {@code "data":"}, before {@code ","contentType"}. */
  private int base64Start() {
    return indexOf(json, DATA_KEY, 0) + DATA_KEY.length;
  }

  private int base64End(int start) {
    return indexOf(json, CONTENT_TYPE_KEY, start);
  }

  private static int indexOf(byte[] json, byte[] key, int from) {
    outer:
    for (int i = from; i <= json.length - key.length; i++) {
      for (int k = 0; k < key.length; k++) {
        if (json[i + k] != key[k]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalStateException("no " + new String(key, StandardCharsets.US_ASCII) + " in an event");
  }

  /** The length of {@code {"topic":…,"id":…,"ts":…,"data":…}} in UTF-8. */
  public int jsonLength() {
    return json.length;
  }

  /**
   * What this event's JSON form takes of the heap (its length, or whole G1 regions for a big one),
   * and its key's, which history keeps with it.
   */
  public long heapBytes() {
    return HeapFootprint.ofBytes(json.length) + PublishKeys.heapBytes(key);
  }

  /** Copies {@code {"topic":…,"id":…,"ts":…,"data":…}}, UTF-8, to the end of {@code into}. */
  public void appendJson(Buffer into) {
    into.appendBytes(json);
  }

  /** The same JSON as a read-only view, for whoever builds another form of the event from it. */
  public ByteBuffer json() {
    return ByteBuffer.wrap(json).asReadOnlyBuffer();
  }

  /**
   * Where a subscriber stands after receiving this event; built once here, so a live delivery
   * (which moves the subscriber's position) allocates nothing.
   */
  public Position position() {
    return position;
  }

  /** What the wire layer derived from this event, or null before anyone asked; opaque to the core. */
  public Object wireForms() {
    return wireForms;
  }

  /**
   * Keeps {@code forms} unless another thread got there first; returns what is kept. Write-once,
   * so every event loop ends up with the same forms and the same bytes.
   */
  public Object wireFormsIfAbsent(Object forms) {
    Object kept = wireForms;
    if (kept != null) {
      return kept;
    }
    synchronized (this) {
      if (wireForms == null) {
        wireForms = forms;
      }
      return wireForms;
    }
  }

  @Override
  public String toString() {
    return topic + ":" + id + ":" + epoch;
  }
}
