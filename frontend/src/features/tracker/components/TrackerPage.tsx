// The Greeks tracker (placeholder): band sums of calls' and puts' greeks and how they moved today.
import { Page } from "@/components/Page";

export function TrackerPage() {
  return (
    <Page
      title="Greeks tracker"
      lead="How the greeks of calls and puts inside a delta band have moved since the 09:15 IST open and since the previous minute."
    >
      <section className="panel" aria-labelledby="tracker-soon">
        <h2 id="tracker-soon" className="panel__title">
          Coming here
        </h2>
        <p>
          Pick an index, an expiry and a delta band; the tables and charts below will sum delta, gamma, vega and
          theta for each side every minute of the session.
        </p>
        <ul className="legend" aria-label="Colours used on this screen">
          <li className="legend__item legend__item--ce">CE calls</li>
          <li className="legend__item legend__item--pe">PE puts</li>
          <li className="legend__item legend__item--net">Net CE + PE</li>
          <li className="legend__item legend__item--up">▲ +0.42 rise</li>
          <li className="legend__item legend__item--down">▼ −0.42 fall</li>
        </ul>
      </section>
    </Page>
  );
}
