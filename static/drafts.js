// Never lose a word: the words typed into a form marked data-draft are kept in this browser
// until the form is sent, so a crash, a closed tab or a lost connection does not lose them.
// Progressive enhancement only: every form works without this file (docs/architecture.md,
// "Drafts and refusals").
//
// - A draft is kept per member, form address and field: data-draft names the member, so on a
//   shared computer nobody else's form is ever filled with it; signing out forgets them all.
// - Only text is kept: never a password, a hidden field (the form token), a choice or a box.
// - A draft fills a field only when the field is empty: the server's own words come first
//   (a refused form comes back filled), and a draft older than DRAFT_DAYS is forgotten.
(function () {
  "use strict";

  var PREFIX = "prayerboard.draft:";
  var DRAFT_DAYS = 7;
  var SAVE_AFTER_MS = 400;
  var signingOut = false;

  var storage = (function () {
    try {
      var probe = PREFIX + "probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (error) {
      return null; // storage refused (private mode, full, blocked): forms work as before
    }
  })();
  if (!storage) return;

  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (field) {
      if (!field.name || field.disabled) return false;
      if (field.tagName === "TEXTAREA") return true;
      return field.tagName === "INPUT" && (field.type === "text" || field.type === "search");
    });
  }

  function keyFor(form, field) {
    var action = new URL(form.getAttribute("action") || "", window.location.href).pathname;
    return PREFIX + form.getAttribute("data-draft") + ":" + action + ":" + field.name;
  }

  function save(form, field) {
    var key = keyFor(form, field);
    try {
      if (field.value.trim()) {
        storage.setItem(key, JSON.stringify({ text: field.value, at: Date.now() }));
      } else {
        storage.removeItem(key);
      }
    } catch (error) {
      // storage full: keeping the draft is a kindness, not a promise
    }
  }

  function restore(form, field) {
    var key = keyFor(form, field);
    var draft;
    try {
      draft = JSON.parse(storage.getItem(key) || "null");
    } catch (error) {
      draft = null;
    }
    if (!draft || typeof draft.text !== "string" || typeof draft.at !== "number") {
      storage.removeItem(key);
      return;
    }
    if (Date.now() - draft.at > DRAFT_DAYS * 24 * 3600 * 1000) {
      storage.removeItem(key);
      return;
    }
    if (!field.value) field.value = draft.text;
  }

  function forget(form) {
    fieldsOf(form).forEach(function (field) {
      storage.removeItem(keyFor(form, field));
    });
  }

  function forgetAll() {
    var keys = [];
    for (var i = 0; i < storage.length; i++) {
      var key = storage.key(i);
      if (key && key.indexOf(PREFIX) === 0) keys.push(key);
    }
    keys.forEach(function (key) {
      storage.removeItem(key);
    });
  }

  // Whose pages these are: drafts of anyone else who used this browser, and drafts older than
  // DRAFT_DAYS, are forgotten on every page, not only when their own form is opened again.
  var script = document.currentScript;
  var member = script ? script.getAttribute("data-member") || "" : "";
  function forgetOthersAndStale() {
    var keys = [];
    for (var i = 0; i < storage.length; i++) {
      var key = storage.key(i);
      if (!key || key.indexOf(PREFIX) !== 0) continue;
      var owner = key.slice(PREFIX.length).split(":")[0];
      var draft = null;
      try {
        draft = JSON.parse(storage.getItem(key) || "null");
      } catch (error) {
        draft = null;
      }
      var stale = !draft || typeof draft.at !== "number" || Date.now() - draft.at > DRAFT_DAYS * 24 * 3600 * 1000;
      if (stale || (member && owner !== member)) keys.push(key);
    }
    keys.forEach(function (key) {
      storage.removeItem(key);
    });
  }
  forgetOthersAndStale();

  document.querySelectorAll("form[data-draft]").forEach(function (form) {
    if (!form.getAttribute("data-draft")) return; // no member named: keep nothing
    var timers = {};
    fieldsOf(form).forEach(function (field) {
      // A form the server sent back filled (a refusal) keeps its words as the draft.
      if (field.value) save(form, field);
      else restore(form, field);
      field.addEventListener("input", function () {
        window.clearTimeout(timers[field.name]);
        timers[field.name] = window.setTimeout(function () {
          delete timers[field.name];
          save(form, field);
        }, SAVE_AFTER_MS);
      });
    });
    // Leaving the page before the pause is over: keep what was typed last.
    window.addEventListener("pagehide", function () {
      if (signingOut) return;
      fieldsOf(form).forEach(function (field) {
        if (timers[field.name] !== undefined) save(form, field);
      });
    });
    // Sent: the draft goes. Were the form refused, the page comes back with the words in it.
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) return;
      fieldsOf(form).forEach(function (field) {
        window.clearTimeout(timers[field.name]);
        delete timers[field.name];
      });
      forget(form);
    });
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    // Signing out, or deleting the account: nothing of theirs stays in this browser.
    if (
      form.matches &&
      form.matches("form[action='/logout'], form[action='/settings/delete']") &&
      !event.defaultPrevented
    ) {
      signingOut = true;
      forgetAll();
    }
  });
})();
