// The module tells the partner's page how tall it is, so that the frame fits it without a
// scroll bar. Only after that page said hello, only if its origin is one of the partner's
// (listed on <html data-origins>), and only to that origin: never to "*".
(function () {
  "use strict";
  var allowed = (document.documentElement.getAttribute("data-origins") || "").split(" ");
  var parentOrigin = null;
  function send() {
    if (parentOrigin === null) return;
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    window.parent.postMessage({ type: "cyberdir:height", height: height }, parentOrigin);
  }
  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || allowed.indexOf(event.origin) < 0) return;
    if (event.data && event.data.type === "cyberdir:hello") {
      parentOrigin = event.origin;
      send();
    }
  });
  if (window.ResizeObserver) {
    new ResizeObserver(send).observe(document.documentElement);
  } else {
    window.addEventListener("resize", send);
  }
})();
