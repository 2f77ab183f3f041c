// The chat, live: new lines arrive by Server-Sent Events (resumed from the last one shown, the
// browser sending Last-Event-ID on reconnection), are added once each to the ARIA live region,
// and messages are sent without leaving the page. Without this script the page refreshes
// itself and the forms post as usual.
(function () {
  "use strict";
  var lines = document.getElementById("chat-lines");
  var consoleLists = document.getElementById("console-lists");
  if (consoleLists && window.EventSource) {
    var feed = new EventSource(consoleLists.getAttribute("data-stream"));
    // At most one reload of the lists a second, however busy the queue.
    var pending = null;
    feed.addEventListener("changed", function () {
      if (pending) { return; }
      pending = setTimeout(function () {
        pending = null;
        fetch(window.location.pathname, { credentials: "same-origin" })
          .then(function (r) { return r.text(); })
          .then(function (html) {
            var doc = new DOMParser().parseFromString(html, "text/html");
            var fresh = doc.getElementById("console-lists");
            if (fresh) { consoleLists.innerHTML = fresh.innerHTML; }
          });
      }, 1000);
    });
  }
  if (!lines || !window.EventSource) { return; }
  var operatorSide = lines.getAttribute("data-operator") === "1";
  var last = parseInt(lines.getAttribute("data-last") || "0", 10);
  // Each line once, in its number's place, whether it comes from the stream or from the
  // answer to one's own message (which may arrive before the other side's line before it).
  var shown = {};
  Array.prototype.forEach.call(lines.querySelectorAll("li[data-seq]"), function (li) {
    shown[li.getAttribute("data-seq")] = true;
  });
  var status = document.getElementById("chat-status");
  var who = function (author) {
    if (author === "victim") { return operatorSide ? "Victime" : "Vous"; }
    if (author === "operator") { return operatorSide ? "Opérateur" : "Votre interlocuteur"; }
    return "Information";
  };
  var add = function (line) {
    if (shown[String(line.seq)]) { return; }
    shown[String(line.seq)] = true;
    var item = document.createElement("li");
    item.className = "line line-" + line.author;
    item.setAttribute("data-seq", String(line.seq));
    var name = document.createElement("span");
    name.className = "who";
    name.textContent = who(line.author);
    var time = document.createElement("time");
    time.textContent = line.time;
    var body = document.createElement("p");
    body.textContent = line.body;
    item.appendChild(name);
    item.appendChild(document.createTextNode(" "));
    item.appendChild(time);
    item.appendChild(body);
    var after = Array.prototype.find.call(lines.children, function (li) {
      return parseInt(li.getAttribute("data-seq") || "0", 10) > line.seq;
    });
    lines.insertBefore(item, after || null);
    item.scrollIntoView({ block: "nearest" });
  };
  var source = new EventSource(lines.getAttribute("data-stream") + "?apres=" + last);
  source.addEventListener("line", function (e) { add(JSON.parse(e.data)); });
  source.addEventListener("status", function (e) {
    var s = JSON.parse(e.data);
    if (status && status.textContent !== s.line) { status.textContent = s.line; }
    if (!s.can_write) {
      var form = document.getElementById("chat-form");
      if (form) { form.hidden = true; }
      // The end: what to do next, with its links, comes with the page.
      if (s.status === "closed" && !document.getElementById("what-next")) {
        window.location.reload();
      }
    }
  });
  var form = document.getElementById("chat-form");
  var error = document.getElementById("message-error");
  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = form.querySelector("textarea");
      var data = new URLSearchParams(new FormData(form));
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
        body: data
      }).then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; });
      }).then(function (answer) {
        if (answer.ok) {
          add(answer.body);
          text.value = "";
          if (error) { error.hidden = true; text.removeAttribute("aria-invalid"); }
        } else if (error) {
          var fields = answer.body.errors || {};
          error.textContent = (fields.message && fields.message[0]) || answer.body.detail || "Le message n'a pas pu être envoyé.";
          error.hidden = false;
          text.setAttribute("aria-invalid", "true");
          text.setAttribute("aria-describedby", "message-error");
          text.focus();
        }
      });
    });
  }
  var canned = document.querySelectorAll(".canned-use");
  Array.prototype.forEach.call(canned, function (button) {
    button.addEventListener("click", function () {
      var text = form && form.querySelector("textarea");
      if (text) { text.value = button.getAttribute("data-body"); text.focus(); }
    });
  });
  // The page refreshes itself only without JavaScript.
})();
