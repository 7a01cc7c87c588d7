// Pages served from the whole-page cache (app/pagecache.py) cannot carry the visitor's
// session-bound CSRF token: their forms hold an empty field marked data-csrf-deferred.
// At submit time, fetch the visitor's own token from /csrf-token, fill it in, then submit.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var field = form.querySelector && form.querySelector("input[data-csrf-deferred]");
    if (!field || field.value) {
      return;
    }
    event.preventDefault();
    fetch("/csrf-token", {credentials: "same-origin", cache: "no-store",
                          headers: {"Accept": "application/json"}})
      .then(function (answer) { return answer.json(); })
      .then(function (body) { field.value = body.csrf_token; })
      .catch(function () { /* the server refuses (400) and starts a session: a retry works */ })
      .then(function () { form.submit(); });
  });
})();
