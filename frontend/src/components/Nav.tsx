// The main navigation; NavLink marks the page on screen with aria-current="page".
import { NavLink } from "react-router";

export const NAV_ITEMS = [
  { to: "/", label: "Tracker", end: true },
  { to: "/chain", label: "Option chain", end: false },
  { to: "/status", label: "Status", end: false },
  { to: "/broker", label: "Broker", end: false },
] as const;

export function Nav() {
  return (
    <nav className="nav" aria-label="Main">
      <ul className="nav__list">
        {NAV_ITEMS.map((item) => (
          <li key={item.to}>
            <NavLink to={item.to} end={item.end} className="nav__link">
              {item.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
