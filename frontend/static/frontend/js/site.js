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

  // An in-place action the server refused (blocked, not allowed, too many attempts) swaps
  // nothing, so say why in the page's message area: the reason from the error page's own text.
  function refusalText(xhr) {
    var page = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
    var reason = page.querySelector(".error-page p, .message");
    var heading = page.querySelector(".error-page h1");
    var text = reason ? reason.textContent.trim() : "";
    return text || (heading ? heading.textContent.trim() : "");
  }

  function messageArea() {
    var area = document.getElementById("action-messages");
    if (!area) {
      area = document.createElement("div");
      area.id = "action-messages";
      area.className = "container messages";
      area.setAttribute("role", "alert");
      var main = document.getElementById("main");
      main.parentNode.insertBefore(area, main);
    }
    return area;
  }

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status < 400 || xhr.status >= 500) {
      return;
    }
    var text = refusalText(xhr);
    if (!text) {
      return;
    }
    var paragraph = document.createElement("p");
    paragraph.className = "message message-error";
    paragraph.textContent = text;
    var area = messageArea();
    area.replaceChildren(paragraph);
    area.scrollIntoView({ block: "nearest" });
  });
})();
