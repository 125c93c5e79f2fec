// Print buttons: shown only where JavaScript runs, since printing needs it.
(function () {
  "use strict";
  document.querySelectorAll("[data-print-page]").forEach(function (button) {
    button.hidden = false;
    button.onclick = function () { window.print(); };
  });
})();
