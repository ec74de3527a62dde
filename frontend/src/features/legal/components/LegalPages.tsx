// The legal pages: terms of use, privacy notice, disclaimer. Plain words; the footer's disclaimer repeats
// the essentials on every page.
import { Link } from "react-router";
import { DISCLAIMER } from "@/components/Footer";
import { Page } from "@/components/Page";
import "./legal.css";

export function TermsPage() {
  return (
    <Page title="Terms of use" lead="The terms under which Market Edge may be used.">
      <article className="prose">
        <h2>What Market Edge is</h2>
        <p>
          Market Edge shows how the option greeks of Indian indices moved during a trading session, minute by minute,
          from data Upstox provides. It describes what happened; it does not tell anyone what to do.
        </p>
        <h2>Who may use it</h2>
        <p>
          Accounts are given by the operator of this Market Edge; they are personal. Keep your password to yourself
          and sign out on shared computers. The operator may end an account that is misused.
        </p>
        <h2>The data</h2>
        <p>
          Market data comes from Upstox under the operator's agreement with Upstox and may not be redistributed:
          use it for your own information only. Data can be late, incomplete or wrong (a missing minute is shown as a
          gap, never as a zero); greeks that Upstox did not supply, or supplied implausibly, are computed by Market
          Edge and marked as such in the option chain.
        </p>
        <h2>No advice, no liability for decisions</h2>
        <p>
          Nothing here is investment advice, a recommendation or a trading signal. Trading options carries a high
          risk of loss. You alone are responsible for your decisions; see the <Link to="/legal/disclaimer">disclaimer</Link>.
        </p>
      </article>
    </Page>
  );
}

export function PrivacyPage() {
  return (
    <Page title="Privacy" lead="What Market Edge keeps about you, why, and for how long.">
      <article className="prose">
        <h2>What is kept, and why</h2>
        <ul>
          <li>
            <strong>Your account</strong>: email address, role (viewer or administrator), a one-way hash of your
            password (never the password itself), and when you last signed in. Needed to let you in.
          </li>
          <li>
            <strong>Your sessions</strong>: when each started and was last used, the address and browser it came from,
            and a hash of its secret. Needed to keep you signed in and to let you (or an administrator) end a session.
          </li>
          <li>
            <strong>Personal API keys</strong>, if you make any: their name, scope and a hash of the key.
          </li>
          <li>
            <strong>Your consent</strong>: which versions of this notice and of the terms you accepted, when and from
            which address, and when you withdrew it. Needed to show that you agreed.
          </li>
          <li>
            <strong>The audit log</strong>: sign-ins (successful and failed), sign-outs, account and key changes, with
            the time and address. Kept at least one year, also after an account is deleted, to investigate misuse.
          </li>
        </ul>
        <h2>In your browser</h2>
        <p>
          Two cookies while you are signed in: the session cookie (not readable by the page's scripts) and a
          request-forgery token that the page sends back with every change. This browser also remembers one thing for
          Market Edge: your light or dark theme choice, if you made one. No advertising or tracking of any kind.
        </p>
        <h2>Your rights</h2>
        <p>
          You can download everything kept about you (“Download my data” in the account menu), withdraw your consent
          at any time (“Withdraw consent”: it signs you out everywhere and stops your API keys) and delete your account
          (ask an administrator if you cannot do it yourself). Questions go to the operator of this Market Edge.
        </p>
      </article>
    </Page>
  );
}

export function DisclaimerPage() {
  return (
    <Page title="Disclaimer" lead={DISCLAIMER}>
      <article className="prose">
        <p>
          Market Edge describes how the greeks of index options (delta, gamma, theta, vega, implied volatility) moved
          since a chosen minute and from one minute to the next. The numbers are sums over the strikes in a delta band
          and depend on the band and on how its strikes are chosen; the tracker always says which.
        </p>
        <p>
          They are not forecasts, recommendations or signals to buy or sell anything, and no label on this site
          calls a market move good or bad. Market Edge and its operator are not investment advisers.
        </p>
        <p>
          Data may be delayed, incomplete or wrong. Check anything that matters to you with your broker before you
          act on it. Options trading carries a high risk of loss.
        </p>
      </article>
    </Page>
  );
}
