// Refresh Markdown previews while typing; the server renders (and sanitizes) with the one renderer.
(function () {
  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function attach(body) {
    const source = document.getElementById(body.dataset.source);
    if (!source) return;
    let timer = null;
    source.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch(body.dataset.previewUrl, {
          method: "POST",
          headers: {"X-CSRFToken": csrfToken(), "Content-Type": "application/x-www-form-urlencoded"},
          body: new URLSearchParams({text: source.value}),
          credentials: "same-origin",
        }).then(function (r) { return r.ok ? r.text() : null; }).then(function (html) {
          if (html !== null) body.innerHTML = html;
        });
      }, 300);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".markdown-preview-body").forEach(attach);
  });
})();
