// The review queue without the mouse (progressive enhancement: every action is a plain form without it).
// j / k: next / previous item · e: edit the translation · a: approve what the box shows · s: save it as
// HUMAN · b: send back · x: select for a bulk action · Esc: leave the box · Ctrl+Enter in the box: save.
(() => {
  const items = [...document.querySelectorAll("section.item")];
  if (!items.length) return;
  let at = 0;
  const focus = (i) => {
    at = Math.max(0, Math.min(items.length - 1, i));
    items[at].focus();
    items[at].scrollIntoView({ block: "nearest" });
  };
  const press = (selector) => items[at].querySelector(selector)?.click();
  items.forEach((item, i) => {
    item.tabIndex = -1;
    item.addEventListener("focusin", () => { at = i; });
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.altKey) return;
    if (ev.target.matches("textarea, input, select")) {
      if (ev.key === "Escape") { focus(at); ev.preventDefault(); }
      if ((ev.ctrlKey || ev.metaKey) && ev.key === "Enter" && ev.target.matches("textarea")) {
        press('button[value="edit"]');
        ev.preventDefault();
      }
      return;
    }
    if (ev.ctrlKey || ev.metaKey) return;
    const actions = {
      j: () => focus(at + 1),
      k: () => focus(at - 1),
      e: () => items[at].querySelector("textarea")?.focus(),
      a: () => press("button.approve"),
      s: () => press('button[value="edit"]'),
      b: () => press("button.send-back"),
      x: () => {
        const box = items[at].querySelector('input[name="pick"]');
        if (box) box.checked = !box.checked;
      },
    };
    const act = actions[ev.key];
    if (act) { act(); ev.preventDefault(); }
  });
  focus(0); // after an action the page comes back with the next item first
})();
