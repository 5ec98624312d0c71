/** Login with a local user of the server, or a ServiceAccount token, then back to the page that asked. */
import { html } from "htm/preact";
import { useState } from "preact/hooks";
import { login, loginWithServiceAccountToken } from "../api.ts";
import { navigate } from "../router.ts";
import { forgetUser } from "../user.ts";

export function LoginPage() {
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = (how: (field: (name: string) => string) => Promise<void>) => async (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const field = (name: string) => {
      const value = form.get(name);
      return typeof value === "string" ? value.trim() : "";
    };
    setBusy(true);
    try {
      await how(field);
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
    <form onSubmit=${submit((field) => login(field("username"), field("password")))}>
      <label>Username <input name="username" autocomplete="username" required autofocus /></label>
      <label
        >Password <input name="password" type="password" autocomplete="current-password" required
      /></label>
      <button type="submit" disabled=${busy}>Log in</button>
    </form>
    <details>
      <summary>Log in with a ServiceAccount token</summary>
      <form onSubmit=${submit((field) => loginWithServiceAccountToken(field("token")))}>
        <label
          >Token (<code>kubectl create token NAME -n NAMESPACE</code>)
          <textarea name="token" rows="4" required spellcheck="false"></textarea>
        </label>
        <button type="submit" disabled=${busy}>Log in with the token</button>
      </form>
    </details>
    ${error && html`<p class="error" role="alert">${error}</p>`}
  </main>`;
}
