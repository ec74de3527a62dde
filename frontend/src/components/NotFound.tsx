// The page for an address that leads nowhere, with a way back.
import { Link, useLocation } from "react-router";
import { NAV_ITEMS } from "./Nav";
import { Page } from "./Page";

export function NotFound() {
  const { pathname } = useLocation();
  return (
    <Page
      title="Page not found"
      lead={
        <>
          There is no page at <code className="code">{pathname}</code>.
        </>
      }
    >
      <p>
        <Link to="/">Go to the Greeks tracker</Link>, or pick one of these:
      </p>
      <ul className="link-list">
        {NAV_ITEMS.filter((item) => item.to !== "/").map((item) => (
          <li key={item.to}>
            <Link to={item.to}>{item.label}</Link>
          </li>
        ))}
      </ul>
    </Page>
  );
}
