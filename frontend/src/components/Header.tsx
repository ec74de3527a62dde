// The top bar: product name, main navigation, theme switch and sign-in.
import type { ReactNode } from "react";
import { Link } from "react-router";
import { PRODUCT_NAME } from "@/lib/document-title";
import { Nav } from "./Nav";
import { ThemeToggle } from "./ThemeToggle";

export function Header({ account }: { account?: ReactNode }) {
  return (
    <header className="header">
      <Link to="/" className="header__brand">
        <svg className="header__mark" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
          <path d="M1 12.5 5.5 7l3 3L15 3" />
        </svg>
        {PRODUCT_NAME}
      </Link>
      <Nav />
      <div className="header__actions">
        <ThemeToggle />
        {account ?? (
          <Link to="/login" className="header__signin">
            Sign in
          </Link>
        )}
      </div>
    </header>
  );
}
