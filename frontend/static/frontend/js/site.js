// Small progressive enhancements shared by every page. Pages work without this file.
(function () {
  "use strict";
  // Buttons that destroy or publish something ask once: <button data-confirm="Are you sure?">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
