// The login page and the app speak the same language. The app keeps the reader's choice in localStorage
// "lang" (layouts.shell's dcc.Store, JSON); the login page is /login?lang=en or /login (Chinese).
// - /login?lang=…: the choice made here (the toggle) becomes the app's;
// - /login with no lang (after logging out, a session that expired): open it in the app's language.
(function () {
  var params = new URLSearchParams(window.location.search);
  var asked = params.get("lang");
  var stored = null;
  try { stored = JSON.parse(window.localStorage.getItem("lang")); } catch (e) { stored = null; }
  if (asked === "en" || asked === "zh") {
    try { window.localStorage.setItem("lang", JSON.stringify(asked)); } catch (e) { /* private mode */ }
  } else if (stored === "en") {
    params.set("lang", "en");
    window.location.replace(window.location.pathname + "?" + params.toString());
  }
})();
