// The guide's small additions to the reader's side of the site (loaded with "defer": it runs after
// Sphinx's translations.js and before the search page starts searching).
(function () {
  "use strict";

  // Sphinx's own interface catalogues for some languages (es, ru, ar in Sphinx 9.0) list messages
  // with an empty translation, and Sphinx's gettext() then shows nothing at all: the search page's
  // "Search finished, found N pages" line stayed blank. Drop empty translations so the English
  // message shows instead, as it does for a message missing from the catalogue.
  // (doctools.js declares Documentation with "const": it is a global, but not a property of window.)
  if (typeof Documentation !== "undefined" && Documentation.TRANSLATIONS) {
    var messages = Documentation.TRANSLATIONS;
    Object.keys(messages).forEach(function (msgid) {
      var translation = messages[msgid];
      var forms = Array.isArray(translation) ? translation : [translation];
      if (forms.some(function (form) { return !form; })) {
        delete messages[msgid];
      }
    });
  }

  // Language switcher: keep the reader on the same section when they change language. Section ids
  // come from the chapters' labels, which are the same in every language, so the switcher links
  // ("../<lang>/<page>.html") only need the current "#section". Without JavaScript they still lead
  // to the top of the same page.
  function carrySection() {
    var links = document.querySelectorAll("nav.guide-languages a[hreflang]");
    for (var i = 0; i < links.length; i++) {
      links[i].hash = window.location.hash;
    }
  }
  window.addEventListener("hashchange", carrySection);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", carrySection);
  } else {
    carrySection();
  }
})();
