// The static gallery's page before its wasm runs. index.html carries a copy of the gallery's
// hero as the wasm renders it for a first visit (signed out, in English), so that the page and
// its sign-in button show as soon as the HTML is parsed. This script, loaded right after #main
// (same origin, allowed by the page's policy; no inline script), does five things and nothing more:
//
// 1. applies the remembered theme before the first paint (no flash of the light page);
// 2. hides the copy where it is not what the page will show: a stored key (the page will say
//    "Signed in"), a return from OpenRouter, or words in another language;
// 3. remembers a click on the copy's sign-in button, once: the button shows its loading state
//    at once and is disabled, `data-early-sign-in` on <html> holds the click, and
//    `openrouter-early-sign-in` on the document says so. The starter (crates/gallery-start, a
//    few KB of wasm) or the gallery's wasm, whichever runs first, takes it and starts the
//    sign-in. The sign-in itself (verifier, state, challenge, the URL) is only ever made by the
//    library, in wasm;
// 4. removes the copy as soon as the app has rendered into #main, in the same task, before
//    anything is painted (and hides it, should the app have come before the copy was parsed);
// 5. lets the copy's button work again when the user comes Back from OpenRouter to this page
//    as the browser kept it (the back-forward cache).
//
// What it reads from storage mirrors the gallery's own names (src/gallery/prefs.rs, theme.rs,
// language.rs) and the library's key entry (`openrouter_api_key`); a browser test compares the
// copy with the live hero, so the two cannot drift apart unnoticed.
(function () {
  "use strict";
  var root = document.documentElement;
  var query = new URLSearchParams(window.location.search);

  function remembered(name) {
    try {
      return window.localStorage.getItem(name);
    } catch (e) {
      return null; // storage refused: the page will not remember either
    }
  }

  var theme = query.get("theme") || remembered("openrouter_signin_gallery_theme");
  if (theme === "dark") {
    root.classList.add("dark");
  }

  var language = query.get("lang") || remembered("openrouter_signin_gallery_language") || "auto";
  var english =
    language === "en" ||
    (language !== "zh" && language !== "ar" && !/^zh\b/i.test(navigator.language || ""));
  var signedIn = remembered("openrouter_api_key") !== null;
  var returning = query.has("code") || query.has("error") || query.has("signin_error");
  if (!english || signedIn || returning) {
    root.setAttribute("data-prerendered", "off");
  }

  document.addEventListener(
    "click",
    function (event) {
      var button = event.target.closest && event.target.closest("#prerendered-sign-in");
      if (!button || button.disabled || root.getAttribute("data-prerendered") === "off") {
        return;
      }
      root.setAttribute("data-early-sign-in", "");
      document.dispatchEvent(new Event("openrouter-early-sign-in"));
      loading(button, true);
    },
    true
  );

  // The button's loading state, as the live button shows it (disabled, aria-busy, the spinner).
  function loading(button, on) {
    button.disabled = on;
    button.querySelector("[data-openrouter-logo]").toggleAttribute("hidden", on);
    button.querySelector("[data-spinner]").toggleAttribute("hidden", !on);
    if (on) {
      button.setAttribute("aria-busy", "true");
      button.setAttribute("data-loading", "true");
    } else {
      button.removeAttribute("aria-busy");
      button.removeAttribute("data-loading");
    }
  }

  // Back from OpenRouter without deciding, the browser may show this page from its
  // back-forward cache as it was left: the click is over, and the button works again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) {
      return;
    }
    root.removeAttribute("data-early-sign-in");
    var button = document.getElementById("prerendered-sign-in");
    if (button) {
      loading(button, false);
    }
  });

  // Watched from here on (index.html loads this right after #main), not from
  // DOMContentLoaded: the wasm's module script is async and may render before the parser is done.
  var main = document.getElementById("main");
  if (!main) {
    return;
  }
  function handOver() {
    // "off" also hides a copy the parser has yet to reach, if the app came first.
    root.setAttribute("data-prerendered", "off");
    root.classList.remove("dark");
    var copy = document.getElementById("prerendered");
    if (copy) {
      copy.remove();
    } else {
      document.addEventListener("DOMContentLoaded", function () {
        var late = document.getElementById("prerendered");
        if (late) {
          late.remove();
        }
      });
    }
  }
  if (main.firstChild) {
    handOver();
    return;
  }
  var watch = new MutationObserver(function () {
    if (main.firstChild) {
      watch.disconnect();
      handOver();
    }
  });
  watch.observe(main, { childList: true });
})();
