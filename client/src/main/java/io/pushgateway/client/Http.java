package io.pushgateway.client;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/** The plain HTTP requests: publishes, polls, the health check; answers come back as futures. */
final class Http {

  private static final MediaType JSON = MediaType.get("application/json");

  private Http() {
  }

  /** {@code baseUrl + path} with the query, the token added as {@code ?token=} when there is one. */
  static HttpUrl url(PushClient client, String path, Map<String, String> query) {
    HttpUrl base = HttpUrl.get(client.baseUrl + path);
    HttpUrl.Builder url = base.newBuilder();
    query.forEach(url::addQueryParameter);
    if (client.token() != null) {
      url.addQueryParameter("token", client.token());
    }
    if (client.options.meter != null) {
      url.addQueryParameter("meter", client.options.meter);
    }
    return url.build();
  }

  static Request.Builder request(PushClient client, HttpUrl url) {
    Request.Builder request = new Request.Builder().url(url).header("Cache-Control", "no-store");
    if (client.token() != null) {
      request.header("Authorization", "Bearer " + client.token());
    }
    return request;
  }

  /** A JSON answer, or a {@link PushException} with the gateway's code and the HTTP status. */
  static CompletableFuture<JsonObject> json(PushClient client, Call call) {
    CompletableFuture<JsonObject> answer = new CompletableFuture<>();
    call.enqueue(new Callback() {
      @Override
      public void onFailure(Call c, IOException e) {
        answer.completeExceptionally(new PushException(null, e.getMessage() == null ? e.toString() : e.getMessage(), 0));
      }

      @Override
      public void onResponse(Call c, Response response) {
        try (ResponseBody body = response.body()) {
          String text = body.string();
          JsonObject json = parse(text);
          if (!response.isSuccessful()) {
            JsonObject error = json != null && json.has("error") ? json.getAsJsonObject("error") : null;
            answer.completeExceptionally(new PushException(error == null ? null : error.get("code").getAsString(),
              error == null ? "HTTP " + response.code() : error.get("message").getAsString(), response.code()));
          } else {
            answer.complete(json);
          }
        } catch (IOException | RuntimeException e) {
          answer.completeExceptionally(new PushException(null, e.toString(), response.code()));
        }
      }
    });
    return answer;
  }

  private static JsonObject parse(String text) {
    try {
      JsonElement element = JsonParser.parseString(text);
      return element.isJsonObject() ? element.getAsJsonObject() : null;
    } catch (JsonParseException e) {
      return null;
    }
  }

  static CompletableFuture<Published> publish(PushClient client, String topic, String dataJson, String key) {
    return publish(client, topic, RequestBody.create(dataJson, JSON), key);
  }

  static CompletableFuture<Published> publish(PushClient client, String topic, byte[] bytes, String contentType,
                                              String key) {
    return publish(client, topic, RequestBody.create(bytes, MediaType.get(contentType)), key);
  }

  /** {@code POST /api/topics/{t}/events}: JSON data or bytes, as the body's type says; the key as {@code Idempotency-Key}. */
  private static CompletableFuture<Published> publish(PushClient client, String topic, RequestBody body, String key) {
    HttpUrl url = HttpUrl.get(client.baseUrl + "/api/topics/" + topic + "/events");
    Request.Builder request = request(client, url).post(body);
    if (key != null) {
      request.header("Idempotency-Key", key);
    }
    return json(client, client.publishHttp.newCall(request.build())).thenApply(Published::of);
  }

  /** {@code POST /api/events}: a batch, answered with one result per event. */
  static CompletableFuture<JsonArray> publishAll(PushClient client, JsonArray events) {
    JsonObject body = new JsonObject();
    body.add("events", events);
    Request request = request(client, HttpUrl.get(client.baseUrl + "/api/events"))
      .post(RequestBody.create(body.toString(), JSON)).build();
    return json(client, client.publishHttp.newCall(request)).thenApply(answer -> answer.getAsJsonArray("results"));
  }

  /** Whether the gateway answers at all ({@code /health}): then a transport that failed is what failed. */
  static CompletableFuture<Boolean> reachable(PushClient client) {
    CompletableFuture<Boolean> up = new CompletableFuture<>();
    Request request = new Request.Builder().url(client.baseUrl + "/health").build();
    client.http.newCall(request).enqueue(new Callback() {
      @Override
      public void onFailure(Call c, IOException e) {
        up.complete(false);
      }

      @Override
      public void onResponse(Call c, Response response) {
        response.close();
        up.complete(true);
      }
    });
    return up;
  }
}
