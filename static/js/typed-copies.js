// Typing kept in this browser by questionnaire.js belongs to one user. On every page of a
// logged-in user, the copies of every other user (a shared office computer) and copies
// older than 30 days are removed. The login page keeps them all: it is where a secretary
// whose login ended lands, before her copy is put back.
(function () {
  "use strict";
  var user = document.body.dataset.userId;
  if (!user) return;
  var prefix = "ronghe.typed.v1.";
  var oldest = Date.now() - 30 * 24 * 3600 * 1000;
  try {
    for (var i = localStorage.length - 1; i >= 0; i--) {
      var key = localStorage.key(i);
      if (!key || key.indexOf(prefix) !== 0) continue;
      var copy = null;
      try { copy = JSON.parse(localStorage.getItem(key)); } catch (e) { copy = null; }
      var owner = key.slice(prefix.length).split(".")[0];
      if (owner !== user || !copy || !(copy.at > oldest)) localStorage.removeItem(key);
    }
  } catch (e) { /* storage disabled: nothing was kept */ }
})();
