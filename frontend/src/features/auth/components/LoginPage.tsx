// Sign-in (placeholder).
import { Page } from "@/components/Page";

export function LoginPage() {
  return (
    <Page title="Sign in" lead="Sign in to see the tracker and the option chain.">
      <p className="placeholder">The sign-in form comes here.</p>
    </Page>
  );
}
