// When the session expires while a page is open, Dash's requests get 401: go to the login form (and back
// to this view afterwards) instead of leaving a page that silently stops updating.
(function () {
  var original = window.fetch;
  window.fetch = function () {
    return original.apply(this, arguments).then(function (response) {
      if (response.status === 401 && String(response.url).indexOf("/_dash-") >= 0) {
        var here = window.location.pathname + window.location.search;
        window.location.assign("/login?expired=1&next=" + encodeURIComponent(here));
      }
      return response;
    });
  };
})();

// The language this browser keeps (the lang store, in local storage) as a cookie, read before the app's layout
// is asked for: the server draws the page opened in it (callbacks.shell.first_layout).
(function () {
  var lang = "zh";
  try { lang = JSON.parse(window.localStorage.getItem("lang")) === "en" ? "en" : "zh"; } catch (e) { /* none kept */ }
  document.cookie = "lang=" + lang + "; path=/; SameSite=Lax; max-age=31536000";
})();
