// The legal pages (placeholders until the final texts are written).
import { DISCLAIMER } from "@/components/Footer";
import { Page } from "@/components/Page";

export function TermsPage() {
  return (
    <Page title="Terms of use" lead="The terms under which Market Edge may be used.">
      <p className="placeholder">The terms of use will be published here.</p>
    </Page>
  );
}

export function PrivacyPage() {
  return (
    <Page title="Privacy" lead="What Market Edge keeps about you, and why.">
      <p className="placeholder">The privacy notice will be published here.</p>
      <p>
        This browser keeps one thing for Market Edge: your light or dark theme choice, if you made one.
      </p>
    </Page>
  );
}

export function DisclaimerPage() {
  return (
    <Page title="Disclaimer" lead={DISCLAIMER}>
      <p className="placeholder">The full disclaimer will be published here.</p>
    </Page>
  );
}
