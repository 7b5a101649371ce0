// Suggest Hugging Face repo ids from the registry as the user types. The script tag names the
// <datalist> (data-list) and the suggestion URL (data-suggest-url); every input using that datalist
// gets, below its curated options, the exact match, prefix matches and similar repo ids.
(function (script) {
  const list = document.getElementById(script.dataset.list);
  const url = script.dataset.suggestUrl;
  if (!list || !url) return;
  const curated = Array.from(list.options).map((o) => o.cloneNode(true));
  let timer = null;
  for (const input of document.querySelectorAll(`input[list="${list.id}"]`)) {
    input.addEventListener("input", () => {
      clearTimeout(timer);
      const q = input.value.trim();
      if (q.length < 2) return;
      timer = setTimeout(async () => {
        const response = await fetch(url + "?q=" + encodeURIComponent(q));
        if (!response.ok) return;
        const found = (await response.json()).models;
        list.replaceChildren(...curated.map((o) => o.cloneNode(true)));
        for (const m of found) {
          const option = document.createElement("option");
          option.value = m.repo_id;
          option.textContent = m.repo_id + " (Hub, declared by uploader)";
          list.appendChild(option);
        }
      }, 150);
    });
  }
})(document.currentScript);
