// 识别中: while the upload is read (a scan page by page, which can take minutes), say how far it has
// got, from the server's progress for this upload's random id. Without script the upload still works.
for (const form of document.querySelectorAll('form.upload-step')) {
  form.addEventListener('submit', () => {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const id = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    const action = new URL(form.action, location.href);
    action.searchParams.set('progress', id);
    form.action = action.toString();
    const status = form.querySelector('.reading-status');
    status.hidden = false;
    status.textContent = '识别中，请稍候……';
    const poll = async () => {
      try {
        const res = await fetch(`/staff/documents/suggest/progress?id=${id}`, { credentials: 'same-origin' });
        const progress = res.ok ? await res.json() : null;
        if (progress && progress.pages) status.textContent = `识别中：第 ${progress.page} / ${progress.pages} 页`;
      } catch {
        // The page is being replaced by the answer, or the network blinked: the next poll says more.
      }
      setTimeout(poll, 1000);
    };
    setTimeout(poll, 1000);
  });
}
