// Drag and drop in the content calendar: a scheduled post dropped on another day keeps its time
// of day. The drop posts the day and time to the same endpoint as the "Change time" form (which
// stays the way to move a post by keyboard or without this script); the server decides. When it
// refuses, the post goes back where it was and the alert says why.
(function () {
  "use strict";
  var grid = document.querySelector("[data-calendar-grid]");
  if (!grid) return;
  var csrfInput = document.querySelector("[data-calendar-csrf] input[name=csrfmiddlewaretoken]");
  var status = document.querySelector("[data-calendar-status]");
  var alertBox = document.querySelector("[data-calendar-alert]");
  var dragged = null;

  function say(text) {
    alertBox.hidden = true;
    alertBox.textContent = "";
    status.textContent = text;
  }

  function complain(text) {
    status.textContent = "";
    alertBox.textContent = text;
    alertBox.hidden = false;
  }

  function listOf(day) {
    var list = day.querySelector("ul.plain-list");
    if (!list) {
      list = document.createElement("ul");
      list.className = "plain-list";
      var empty = day.querySelector(":scope > p.meta");
      if (empty) empty.remove();
      day.appendChild(list);
    }
    return list;
  }

  function putBack(post, home, next) {
    if (next && next.parentNode === home) home.insertBefore(post, next);
    else home.appendChild(post);
  }

  function move(post, day) {
    var home = post.parentNode;
    var next = post.nextSibling;
    var target = day.getAttribute("data-day");
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfInput ? csrfInput.value : "");
    body.append("date", target);
    body.append("time", post.getAttribute("data-time"));
    listOf(day).appendChild(post);
    post.setAttribute("aria-busy", "true");
    fetch(post.getAttribute("data-reschedule-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) {
        return response.json().then(function (answer) { return { ok: response.ok, answer: answer }; });
      })
      .then(function (result) {
        post.removeAttribute("aria-busy");
        if (!result.ok || !result.answer.ok) {
          putBack(post, home, next);
          var reasons = [];
          var errors = (result.answer && result.answer.errors) || {};
          Object.keys(errors).forEach(function (key) { reasons = reasons.concat(errors[key]); });
          complain(grid.getAttribute("data-message-failed") + " " + reasons.join(" "));
          return;
        }
        var time = post.querySelector("[data-post-time]");
        if (time) {
          time.textContent = result.answer.time;
          time.setAttribute("datetime", result.answer.when);
        }
        var state = post.querySelector("[data-post-state]");
        if (state) {
          state.textContent = result.answer.state_label;
          state.className = "badge social-state-" + result.answer.state;
        }
        post.setAttribute("data-time", result.answer.time);
        say(result.answer.message);
      })
      .catch(function () {
        post.removeAttribute("aria-busy");
        putBack(post, home, next);
        complain(grid.getAttribute("data-message-network"));
      });
  }

  grid.addEventListener("dragstart", function (event) {
    var post = event.target.closest && event.target.closest("[data-reschedule-url]");
    if (!post) return;
    dragged = post;
    post.classList.add("calendar-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", post.id);
  });

  grid.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("calendar-dragging");
    dragged = null;
    grid.querySelectorAll(".calendar-drop").forEach(function (day) {
      day.classList.remove("calendar-drop");
    });
  });

  grid.addEventListener("dragover", function (event) {
    var day = event.target.closest && event.target.closest("[data-day]");
    if (!dragged || !day) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    day.classList.add("calendar-drop");
  });

  grid.addEventListener("dragleave", function (event) {
    var day = event.target.closest && event.target.closest("[data-day]");
    if (day && !day.contains(event.relatedTarget)) day.classList.remove("calendar-drop");
  });

  grid.addEventListener("drop", function (event) {
    var day = event.target.closest && event.target.closest("[data-day]");
    if (!dragged || !day) return;
    event.preventDefault();
    day.classList.remove("calendar-drop");
    var post = dragged;
    if (post.closest("[data-day]") === day) return;
    move(post, day);
  });
})();
