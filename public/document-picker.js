// The document picker: as staff type a 文号 or a title fragment, the matching documents are listed
// and one click chooses one. Without this file the typed text is sent and the server resolves it.
for (const picker of document.querySelectorAll('[data-document-picker]')) {
  const input = picker.querySelector('[data-picker-input]');
  const chosenId = picker.querySelector('[data-picker-id]');
  const chosen = picker.querySelector('[data-picker-chosen]');
  const results = picker.querySelector('[data-picker-results]');
  const exclude = picker.dataset.exclude;
  let timer = 0;
  let asked = 0;

  const choose = (item) => {
    chosenId.value = String(item.id);
    input.value = item.doc_number || item.title;
    chosen.textContent = `已选择：《${item.title}》${item.doc_number ? `（${item.doc_number}）` : ''}`;
    results.hidden = true;
    results.replaceChildren();
  };

  const show = (items) => {
    results.replaceChildren();
    for (const item of items.filter((i) => String(i.id) !== exclude)) {
      const li = document.createElement('li');
      li.setAttribute('role', 'option');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'link';
      button.textContent = `${item.doc_number ? `${item.doc_number} ` : ''}${item.title}（${item.organ_name}，${item.status_label}）`;
      button.addEventListener('click', () => choose(item));
      li.append(button);
      results.append(li);
    }
    if (!results.children.length) {
      const li = document.createElement('li');
      li.textContent = '没有匹配的文件';
      results.append(li);
    }
    results.hidden = false;
  };

  input.addEventListener('input', () => {
    // A choice no longer matches what is typed: the server will resolve the text instead.
    chosenId.value = '';
    chosen.textContent = '';
    window.clearTimeout(timer);
    const q = input.value.trim();
    if (!q) {
      results.hidden = true;
      return;
    }
    timer = window.setTimeout(async () => {
      const ticket = ++asked;
      const res = await fetch(`/staff/documents/lookup?q=${encodeURIComponent(q)}`, { credentials: 'same-origin', headers: { accept: 'application/json' } });
      if (!res.ok || ticket !== asked) return;
      show((await res.json()).items);
    }, 200);
  });
}
