// Before an irreversible or external action (a form marked `data-confirm`), a modal dialog
// asks, as the confirmation page does without JavaScript: the question, what will happen, and
// the two ways out. Confirming sends the same form with `confirme=oui`; cancelling (the button
// or Escape) changes nothing. A blank required reason is left to the server, which says it
// beside its field.
(function () {
  "use strict";
  function dialog() {
    var existing = document.getElementById("confirm-dialog");
    if (existing) return existing;
    var d = document.createElement("dialog");
    d.id = "confirm-dialog";
    d.className = "bo-modal";
    d.setAttribute("aria-labelledby", "confirm-dialog-title");
    d.setAttribute("aria-describedby", "confirm-dialog-text");
    var title = document.createElement("h2");
    title.id = "confirm-dialog-title";
    var text = document.createElement("p");
    text.id = "confirm-dialog-text";
    var buttons = document.createElement("div");
    buttons.className = "bo-filters-buttons";
    var yes = document.createElement("button");
    yes.type = "button";
    yes.className = "button bo-danger";
    yes.id = "confirm-dialog-yes";
    var no = document.createElement("button");
    no.type = "button";
    no.className = "button secondary";
    no.id = "confirm-dialog-no";
    no.textContent = "Annuler";
    no.addEventListener("click", function () { d.close(); });
    buttons.appendChild(yes);
    buttons.appendChild(no);
    d.appendChild(title);
    d.appendChild(text);
    d.appendChild(buttons);
    document.body.appendChild(d);
    return d;
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) return;
    if (form.querySelector("input[name=confirme]")) return;
    var reason = form.querySelector("textarea[required]");
    if (reason && !reason.value.trim()) return;
    if (typeof HTMLDialogElement !== "function") return; // the confirmation page instead
    event.preventDefault();
    var d = dialog();
    d.querySelector("h2").textContent = form.getAttribute("data-confirm");
    d.querySelector("p").textContent = form.getAttribute("data-consequence") || "";
    var yes = d.querySelector("#confirm-dialog-yes");
    yes.textContent = form.getAttribute("data-confirm-label") || "Confirmer";
    yes.onclick = function () {
      var confirmed = document.createElement("input");
      confirmed.type = "hidden";
      confirmed.name = "confirme";
      confirmed.value = "oui";
      form.appendChild(confirmed);
      d.close();
      form.submit();
    };
    d.showModal();
    d.querySelector("#confirm-dialog-no").focus();
  });
})();
