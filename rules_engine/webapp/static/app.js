// Progressive enhancement only: every page works without this file.
// - Besluit: the deviation fields are shown only when "deviate" is chosen.
// - Kandidaten: a field of the household form is checked by the server as it is left (the same
//   readers as on submit: Dutch amounts read right), its message shown right under it.
// - A form with errors puts the keyboard focus on its first invalid field.
(function () {
  "use strict";

  function describedBy(input, id, on) {
    var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (x) { return x && x !== id; });
    if (on) { ids.push(id); }
    if (ids.length) { input.setAttribute("aria-describedby", ids.join(" ")); } else { input.removeAttribute("aria-describedby"); }
  }

  function showMessage(input, message) {
    var id = input.id + "-error";
    var box = document.getElementById(id);
    if (!message) {
      if (box) { box.remove(); }
      input.removeAttribute("aria-invalid");
      describedBy(input, id, false);
      return;
    }
    if (!box) {
      box = document.createElement("p");
      box.className = "error";
      box.id = id;
      box.setAttribute("aria-live", "polite");
      input.insertAdjacentElement("afterend", box);
    }
    box.textContent = "\u26a0 " + message;
    input.setAttribute("aria-invalid", "true");
    describedBy(input, id, true);
  }

  function checkAsYouGo(form) {
    var url = form.getAttribute("data-check");
    var csrf = form.querySelector("input[name=csrf]");
    form.addEventListener("change", function (event) {
      var input = event.target;
      if (!input.name || input.name === "csrf" || !window.fetch) { return; }
      var body = new FormData();
      body.append("csrf", csrf.value);
      body.append("field", input.name);
      body.append("value", input.value);
      fetch(url, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (answer) { if (answer) { showMessage(input, answer.message); } })
        .catch(function () { /* the check on submit still holds */ });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var decide = document.querySelector("form.decide");
    if (decide) {
      var box = decide.querySelector(".deviation");
      var sync = function () {
        var chosen = decide.querySelector("input[name=choice]:checked");
        if (box) { box.hidden = !chosen || chosen.value !== "deviate"; }
      };
      decide.addEventListener("change", sync);
      sync();
    }
    var household = document.querySelector("form.household[data-check]");
    if (household) { checkAsYouGo(household); }
    var invalid = document.querySelector("[aria-invalid=true]");
    if (invalid) { invalid.focus(); }
  });
})();
