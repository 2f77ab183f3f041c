// For the partner's page (not the module): fits the frame `#cyberdir-module` to the module's
// height. The service's origin is read from the frame's own address; the page says hello to
// that origin only, and reads only that origin's messages from that frame. No inline code, no
// inline style: it runs under a strict Content-Security-Policy (`script-src` naming where this
// file is served from). Partners may serve a copy from their own domain.
(function () {
  "use strict";
  var frame = document.getElementById("cyberdir-module");
  if (!frame) return;
  var origin;
  try {
    origin = new URL(frame.src, document.baseURI).origin;
  } catch (e) {
    return;
  }
  function hello() {
    if (frame.contentWindow) frame.contentWindow.postMessage({ type: "cyberdir:hello" }, origin);
  }
  frame.addEventListener("load", hello);
  // The frame may have loaded before this file ran (a deferred or self-hosted copy).
  hello();
  window.addEventListener("message", function (e) {
    if (e.origin !== origin || e.source !== frame.contentWindow || !e.data) return;
    if (e.data.type === "cyberdir:height" && e.data.height > 0) {
      frame.style.height = Math.min(e.data.height, 20000) + "px";
    }
  });
})();
