// Progressive enhancement only: every form works without this file.
(function () {
  "use strict";

  // "I'm praying" without a page reload; on any failure the form submits normally.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-pray]")) return;
    var button = form.querySelector("button[type=submit]");
    if (!button || !window.fetch) return;
    event.preventDefault();
    // Busy, not disabled: disabling the focused button would drop keyboard focus to the page.
    if (button.getAttribute("aria-disabled") === "true") return;
    button.setAttribute("aria-disabled", "true");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (!response.ok) throw new Error("status " + response.status);
      return response.json();
    }).then(function (state) {
      button.setAttribute("aria-pressed", state.praying ? "true" : "false");
      button.classList.toggle("is-praying", state.praying);
      var label = button.querySelector(".pray-label");
      if (label) label.textContent = state.praying ? "Praying" : "I'm praying";
      var count = form.querySelector("[data-pray-count]");
      if (count) count.textContent = state.praying_count + " praying";
      button.removeAttribute("aria-disabled");
    }).catch(function () {
      button.removeAttribute("aria-disabled");
      form.submit();
    });
  });

  // Ask before destructive actions: a form's data-confirm, or the pressed button's. A button
  // whose page would ask without script (data-confirmed-action) goes straight to the action.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var asker = button && button.hasAttribute("data-confirm") ? button : form;
    var question = asker.getAttribute && asker.getAttribute("data-confirm");
    if (!question) return;
    if (!window.confirm(question)) {
      event.preventDefault();
      return;
    }
    var direct = asker.getAttribute("data-confirmed-action");
    if (direct) {
      // The form is built after this event: it goes to the action, without the page that asks.
      asker.setAttribute("formaction", direct);
      asker.removeAttribute("name");
    }
  }, true);

  // A refused form: focus moves to the summary of its problems (templates/partials/error_summary.html),
  // so the first thing read is what went wrong; each problem links to its field.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
