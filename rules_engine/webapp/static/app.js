// Progressive enhancement only: every page works without this file.
// Besluit: the deviation fields are shown only when "deviate" is chosen; a form with errors
// puts the keyboard focus on its first invalid field.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.decide");
    if (form) {
      var box = form.querySelector(".deviation");
      var sync = function () {
        var chosen = form.querySelector("input[name=choice]:checked");
        if (box) { box.hidden = !chosen || chosen.value !== "deviate"; }
      };
      form.addEventListener("change", sync);
      sync();
    }
    var invalid = document.querySelector("[aria-invalid=true]");
    if (invalid) { invalid.focus(); }
  });
})();
