package io.pushgateway.loadtest.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Nchan's multipart long-poll answers, as Nchan 1.3.6 writes them, split into their messages. */
class NchanPollClientTest {

  @Test
  void aMultipartAnswerGivesEachMessage() {
    String b = "l2/Hb0CDqiUJ5jP6UadHm6unMZQRHV.2";
    String body = "--" + b + "\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n{\"seq\":1}\r\n"
      + "--" + b + "\r\n\r\n{\"seq\":2}\r\n"
      + "--" + b + "\r\nContent-Type: text/plain\r\n\r\n{\"seq\":3}\r\n--" + b + "--\r\n";
    assertThat(NchanPollClient.parts(body, b)).containsExactly("{\"seq\":1}", "{\"seq\":2}", "{\"seq\":3}");
  }

  @Test
  void theBoundaryIsReadWithOrWithoutQuotes() {
    assertThat(NchanPollClient.boundary("multipart/mixed; boundary=abc.1")).isEqualTo("abc.1");
    assertThat(NchanPollClient.boundary("multipart/mixed; boundary=\"abc/2\"; x=y")).isEqualTo("abc/2");
    assertThat(NchanPollClient.boundary("multipart/mixed")).isNull();
  }
}
