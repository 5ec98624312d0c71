/** Client-side routes on the History API; links go through `navigate` so pages do not reload. */
import { html } from "htm/preact";
import type { ComponentChildren } from "preact";

type Listener = () => void;
const listeners = new Set<Listener>();

export function navigate(path: string): void {
  if (path === location.pathname + location.search) return;
  history.pushState(null, "", path);
  for (const listener of listeners) listener();
}

export function onNavigate(listener: Listener): () => void {
  listeners.add(listener);
  const popped = () => listener();
  addEventListener("popstate", popped);
  return () => {
    listeners.delete(listener);
    removeEventListener("popstate", popped);
  };
}

export function Link(props: { href: string; class?: string; children: ComponentChildren; label?: string }) {
  const click = (event: MouseEvent) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(props.href);
  };
  return html`<a href=${props.href} class=${props.class} aria-label=${props.label} onClick=${click}
    >${props.children}</a
  >`;
}

export const encode = encodeURIComponent;
