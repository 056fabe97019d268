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

  // "Copy link" beside a share address: shown only where the clipboard can be written.
  if (navigator.clipboard) {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.hidden = false;
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) {
      return;
    }
    var field = document.getElementById(button.getAttribute("data-copy"));
    navigator.clipboard.writeText(field.value).then(function () {
      button.textContent = button.getAttribute("data-copied");
    });
  });

  // Mastodon: straight to the person's own server's share page. The server checks the same
  // (frontend/share.py) when the form is sent without this script.
  var MASTODON_HOST = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-mastodon-share]");
    if (!form) {
      return;
    }
    var host = form.elements.instance.value.trim().toLowerCase()
      .replace(/^https?:\/\//, "").replace(/\/+$/, "").split("@").pop();
    if (!MASTODON_HOST.test(host)) {
      return; // the server answers with the reason
    }
    event.preventDefault();
    var text = form.elements.text.value;
    var url = form.getAttribute("data-mastodon-share");
    var message = text ? text + " " + url : url;
    window.open("https://" + host + "/share?text=" + encodeURIComponent(message), "_blank", "noopener");
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
