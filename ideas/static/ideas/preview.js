// "Preview" shows the idea above the form without leaving the page, so the photos the person
// chose stay chosen. Without this script the button sends the form and the page comes back
// with the preview (and asks for the photos again).
(function () {
  "use strict";
  var form = document.querySelector("[data-preview-form]");
  var region = document.querySelector("[data-preview-region]");
  if (!form || !region || !window.fetch || !window.FormData) return;
  var button = form.querySelector("[data-preview-button]");
  if (!button) return;
  button.addEventListener("click", function (event) {
    event.preventDefault();
    var data = new FormData(form);
    // The photos are not needed for the preview; sending them would upload them twice.
    Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) {
      data.delete(input.name);
    });
    data.set("preview", "1");
    data.set("fragment", "1");
    button.disabled = true;
    fetch(form.getAttribute("action") || window.location.href, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        return response.text();
      })
      .then(function (html) {
        region.innerHTML = html;
        var heading = region.querySelector("h2, [role=alert]");
        if (heading) {
          if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
          heading.focus();
        }
      })
      .catch(function () {
        // Offline or refused: fall back to sending the form the plain way.
        form.requestSubmit ? form.requestSubmit(button) : form.submit();
      })
      .finally(function () {
        button.disabled = false;
      });
  });
})();
