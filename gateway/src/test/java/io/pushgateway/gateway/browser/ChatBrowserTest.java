package io.pushgateway.gateway.browser;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushgateway.gateway.testing.TestGateway;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * Two browsers in the demo page's chat room, on different transports, hear each other; and, with
 * presence names on, see who is online and each other join and leave, whatever the transports.
 */
@Tag("browser")
class ChatBrowserTest {

  private static TestGateway gateway;
  private static TestGateway named;
  private static Browser ann;
  private static Browser bob;

  @BeforeAll
  static void start() throws Exception {
    Browser.requireChromium();
    gateway = TestGateway.start(new JsonObject());
    named = TestGateway.start(new JsonObject().put("presenceNames", true).put("presenceGraceSeconds", 1));
    ann = Browser.start();
    bob = Browser.start();
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {ann, bob, gateway, named}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // closing the rest matters more
      }
    }
  }

  @Test
  void twoPagesChat() throws Exception {
    ann.open(gateway.url() + "/#chat");
    bob.open(gateway.url() + "/?transport=long#chat");
    joinAs(ann, "ann", "ws");
    joinAs(bob, "bob", "long");

    say(ann, "hello from ann");
    assertThat(awaitLine(bob, "hello from ann")).isEqualTo("ann hello from ann");
    say(bob, "hi ann, bob here");
    assertThat(awaitLine(ann, "hi ann, bob here")).isEqualTo("bob hi ann, bob here");

    // both rooms show the same conversation, in the same order, once
    assertThat(lines(ann)).containsExactly("ann hello from ann", "bob hi ann, bob here");
    assertThat(lines(bob)).containsExactly("ann hello from ann", "bob hi ann, bob here");
    assertThat(ann.driver.findElement(By.cssSelector("#chat-log li.mine")).getText())
      .contains("hello from ann");

    // a page that comes (back) later opens the room with its last messages (rewind), over SSE too
    bob.open(gateway.url() + "/?transport=sse#chat");
    awaitLine(bob, "hi ann, bob here");
    assertThat(lines(bob)).containsExactly("ann hello from ann", "bob hi ann, bob here");
  }

  /** Each pair: the first page stays, the second comes and goes. */
  @Test
  void pagesSeeWhoIsOnlineAndEachOtherJoinAndLeaveOnEveryTransport() throws Exception {
    String[][] pairs = {{"long", "ws"}, {"ws", "long"}, {"sse", "short"}, {"short", "sse"}};
    for (String[] pair : pairs) {
      String stays = "ann-" + pair[0];
      String visits = "bob-" + pair[1];
      enterAs(ann, stays, pair[0]);
      awaitOnline(ann, stays);
      enterAs(bob, visits, pair[1]);
      awaitOnline(bob, stays);
      awaitOnline(ann, visits);
      awaitNotice(ann, visits + " joined");
      bob.open("about:blank"); // the page goes away
      try {
        awaitNotice(ann, visits + " left");
      } catch (RuntimeException e) {
        throw new AssertionError("presence: " + named.get("/api/topics/chat/presence").body() + " notices " + notices(ann)
          + " online " + ann.js("return document.getElementById('chat-online').textContent"), e);
      }
      assertThat((String) ann.js("return document.getElementById('chat-online').textContent")).doesNotContain(visits);
      assertThat(notices(ann)).as("one join and one leave each").containsOnlyOnce(visits + " joined", visits + " left");
    }
  }

  /** Opens the chat as {@code name} (the page keeps its name in localStorage) on {@code transport}. */
  /** An image picked in one page (a binary event) shows in the other, whatever their transports. */
  @Test
  void anImagePickedInOnePageShowsInTheOther() throws Exception {
    for (String[] pair : new String[][] {{"ws", "long"}, {"short", "sse"}}) {
      ann.open(gateway.url() + "/?transport=" + pair[0] + "#chat");
      bob.open(gateway.url() + "/?transport=" + pair[1] + "#chat");
      joinAs(ann, "ann", pair[0]);
      joinAs(bob, "bob", pair[1]);
      int before = images(bob);
      // a real PNG, drawn on a canvas, handed to the file picker as a user's pick would be
      ann.jsAsync("""
        const done = arguments[arguments.length - 1];
        const canvas = document.createElement('canvas');
        canvas.width = 40; canvas.height = 30;
        const g = canvas.getContext('2d'); g.fillStyle = '#c33'; g.fillRect(0, 0, 40, 30);
        canvas.toBlob((png) => {
          const picked = new DataTransfer();
          picked.items.add(new File([png], 'red.png', { type: 'image/png' }));
          const input = document.getElementById('chat-image');
          input.files = picked.files;
          input.dispatchEvent(new Event('change'));
          done(true);
        }, 'image/png');
        """);
      String shown = bob.await("the image on " + pair[1], d -> (String) bob.js("""
        const imgs = [...document.querySelectorAll('#chat-log li img')];
        const img = imgs[arguments[0]];
        return img && img.complete && img.naturalWidth > 0
          ? img.closest('li').querySelector('.user').textContent + ' ' + img.naturalWidth + 'x' + img.naturalHeight : null;
        """, before));
      assertThat(shown).as(pair[0] + " -> " + pair[1]).isEqualTo("ann 40x30");
    }
  }

  private static int images(Browser browser) {
    return ((Number) browser.js("return document.querySelectorAll('#chat-log li img').length")).intValue();
  }

  private static void enterAs(Browser browser, String name, String transport) throws Exception {
    browser.open(named.url() + "/");
    browser.js("localStorage.setItem('push-demo-name', arguments[0])", name);
    browser.open(named.url() + "/?transport=" + transport + "#chat");
    browser.awaitJs("chat connected on " + transport,
      "return window.demo.chat && window.demo.chat.readyState === 1 && window.demo.chat.transport === arguments[0]",
      transport);
  }

  private static void awaitOnline(Browser browser, String name) {
    browser.awaitJs(name + " listed online",
      "return document.getElementById('chat-online').textContent.includes(arguments[0])", name);
  }

  private static void awaitNotice(Browser browser, String text) {
    browser.await("notice '" + text + "'", d -> notices(browser).contains(text) ? text : null);
  }

  @SuppressWarnings("unchecked")
  private static List<String> notices(Browser browser) {
    return (List<String>) browser.js(
      "return [...document.querySelectorAll('#chat-log li.notice')].map((li) => li.textContent)");
  }

  private static void joinAs(Browser browser, String name, String transport) throws Exception {
    browser.awaitJs("chat connected on " + transport,
      "return window.demo.chat && window.demo.chat.readyState === 1 && window.demo.chat.transport === arguments[0]",
      transport);
    WebElement input = browser.driver.findElement(By.id("chat-name"));
    input.clear();
    input.sendKeys(name);
  }

  private static void say(Browser browser, String text) throws Exception {
    browser.driver.findElement(By.id("chat-text")).sendKeys(text);
    browser.driver.findElement(By.id("chat-send")).click();
    // the input clears once the gateway acknowledged the publish
    browser.awaitJs("message acknowledged", "return document.getElementById('chat-text').value === ''");
  }

  private static String awaitLine(Browser browser, String text) throws Exception {
    return browser.await("chat shows '" + text + "'", d -> lines(browser).stream()
      .filter(line -> line.endsWith(text)).findFirst().orElse(null));
  }

  @SuppressWarnings("unchecked")
  private static List<String> lines(Browser browser) {
    return (List<String>) browser.js(
      "return [...document.querySelectorAll('#chat-log li')].filter((li) => li.querySelector('.text'))"
        + ".map((li) => li.querySelector('.user').textContent + ' ' + li.querySelector('.text').textContent)");
  }
}
