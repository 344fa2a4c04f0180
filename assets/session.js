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
