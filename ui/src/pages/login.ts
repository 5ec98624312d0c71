/** Login with a local user of the server, then back to the page that asked. */
import { html } from "htm/preact";
import { useState } from "preact/hooks";
import { login } from "../api.ts";
import { navigate } from "../router.ts";
import { forgetUser } from "../user.ts";

export function LoginPage() {
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const field = (name: string) => {
      const value = form.get(name);
      return typeof value === "string" ? value : "";
    };
    setBusy(true);
    try {
      await login(field("username"), field("password"));
      forgetUser();
      navigate(new URLSearchParams(location.search).get("next") ?? "/");
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="login">
    <h1>Sluice</h1>
    <form onSubmit=${submit}>
      <label>Username <input name="username" autocomplete="username" required autofocus /></label>
      <label
        >Password <input name="password" type="password" autocomplete="current-password" required
      /></label>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <button type="submit" disabled=${busy}>Log in</button>
    </form>
  </main>`;
}
