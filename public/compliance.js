// Expiry review forms: the new term is asked for only when extending, and a repeal is confirmed first.
// The page works without this file; the server checks the same rules.
for (const form of document.querySelectorAll('form[data-review-form]')) {
  const decision = form.querySelector('[data-decision]');
  const newTerm = form.querySelector('[data-new-term]');
  if (!decision || !newTerm) continue;
  const input = newTerm.querySelector('input');
  const sync = () => {
    newTerm.hidden = decision.value !== 'extend';
    // A hidden box must not send a forgotten date with another decision.
    if (input) input.disabled = newTerm.hidden;
  };
  decision.addEventListener('change', sync);
  sync();
  form.addEventListener('submit', (event) => {
    if (decision.value === 'repeal' && !window.confirm('确定以决定日期废止该文件？废止后不能撤销。')) event.preventDefault();
  });
}
