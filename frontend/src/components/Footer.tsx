// The footer on every page: the data disclaimer and the legal pages.
import { Link } from "react-router";

export const DISCLAIMER =
  "Market data from Upstox, shown for information only. Not investment advice. " +
  "Market Edge gives no recommendations or trading signals.";

export const LEGAL_LINKS = [
  { to: "/legal/terms", label: "Terms of use" },
  { to: "/legal/privacy", label: "Privacy" },
  { to: "/legal/disclaimer", label: "Disclaimer" },
  { to: "/legal/accessibility", label: "Accessibility" },
] as const;

export function Footer() {
  return (
    <footer className="footer">
      <p className="footer__disclaimer">{DISCLAIMER}</p>
      <nav aria-label="Legal">
        <ul className="footer__links">
          {LEGAL_LINKS.map((link) => (
            <li key={link.to}>
              <Link to={link.to}>{link.label}</Link>
            </li>
          ))}
        </ul>
      </nav>
    </footer>
  );
}
