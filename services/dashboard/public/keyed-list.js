// A list that is updated in place, row by row, keyed. Replacing the whole list on every event
// (several a second in a busy run) swapped the element under the pointer between press and
// release, and Chromium then sent no click at all.

/** Each row's key and the html it was last rendered from. */
const rendered = new WeakMap();

const parse = (html) => {
  const t = document.createElement("template");
  t.innerHTML = html.trim();
  return t.content.firstElementChild;
};

/** Copies a freshly rendered row onto the one on the page, keeping the element itself. */
function update(li, fresh) {
  for (const { name } of [...li.attributes]) if (!fresh.hasAttribute(name)) li.removeAttribute(name);
  for (const { name, value } of fresh.attributes) if (li.getAttribute(name) !== value) li.setAttribute(name, value);
  li.replaceChildren(...fresh.childNodes);
}

/**
 * Makes `list`'s children the rows in `items` ({ key, html }: one <li> each, keys unique), then
 * `tail` (html of unkeyed rows, or ""). Unchanged rows are left alone; changed ones are updated in
 * place.
 */
export function renderKeyedList(list, items, tail = "") {
  const old = new Map();
  for (const li of list.children) {
    const r = rendered.get(li);
    if (r) old.set(r.key, li);
  }
  let at = list.firstElementChild;
  for (const { key, html } of items) {
    let li = old.get(key);
    if (li) {
      old.delete(key);
      if (rendered.get(li).html !== html) update(li, parse(html));
    } else li = parse(html);
    rendered.set(li, { key, html });
    if (li === at) at = at.nextElementSibling;
    else list.insertBefore(li, at);
  }
  // What follows the rows (gone rows, placeholders, the old tail) is replaced.
  while (at) {
    const next = at.nextElementSibling;
    at.remove();
    at = next;
  }
  for (const li of old.values()) li.remove();
  if (tail) list.insertAdjacentHTML("beforeend", tail);
}
