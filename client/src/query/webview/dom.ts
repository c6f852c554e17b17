/**
 * Building the panel's DOM. Text only: every string goes in as `textContent`, so a tenant's dimension value such
 * as `<img src=x onerror=…>` is shown, never parsed. Nothing in the webview sets HTML from strings.
 */

export interface ElementOptions {
  className?: string;
  text?: string;
  title?: string;
}

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElementOptions = {},
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = options.text;
  if (options.title !== undefined) node.title = options.title;
  node.append(...children);
  return node;
}

export function button(text: string, title: string, onClick: () => void): HTMLButtonElement {
  const node = element('button', { text, title });
  node.type = 'button';
  node.addEventListener('click', onClick);
  return node;
}

/** A select of `values`, shown through `label`. */
export function select<T extends string | number>(
  values: readonly T[],
  label: (value: T) => string,
  onChange: (value: T) => void,
): HTMLSelectElement {
  const node = element('select');
  for (const value of values) {
    const option = element('option', { text: label(value) });
    option.value = String(value);
    node.append(option);
  }
  node.addEventListener('change', () => {
    const chosen = values.find((v) => String(v) === node.value);
    if (chosen !== undefined) onChange(chosen);
  });
  return node;
}
