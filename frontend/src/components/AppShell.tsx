// The frame around every page: skip link, header, main content and footer.
import { useEffect, useRef, type ReactNode } from "react";
import { useLocation } from "react-router";
import { Footer } from "./Footer";
import { Header } from "./Header";

export const MAIN_CONTENT_ID = "main-content";

interface AppShellProps {
  children: ReactNode;
  /** True while the next page is on its way; the old one stays on screen meanwhile. */
  busy?: boolean;
  /** The header's sign-in link or account menu (the auth feature's, passed in by the app). */
  account?: ReactNode;
}

export function AppShell({ children, busy = false, account }: AppShellProps) {
  useFocusOnNavigation();
  return (
    <div className="shell">
      <a className="skip-link" href={`#${MAIN_CONTENT_ID}`}>
        Skip to content
      </a>
      <Header account={account} />
      <div className={busy ? "progress progress--active" : "progress"} aria-hidden="true" />
      <main id={MAIN_CONTENT_ID} className="shell__main" tabIndex={-1} aria-busy={busy}>
        {children}
      </main>
      <Footer />
    </div>
  );
}

/**
 * A client-side navigation changes the page without the browser noticing, so move focus to the new page's
 * heading (or main) ourselves: screen readers then announce it and the next Tab starts from the content.
 */
function useFocusOnNavigation() {
  const { pathname } = useLocation();
  const previous = useRef(pathname);
  useEffect(() => {
    if (previous.current === pathname) return;
    previous.current = pathname;
    const main = document.getElementById(MAIN_CONTENT_ID);
    const target = main?.querySelector<HTMLElement>("h1") ?? main;
    target?.focus({ preventScroll: true });
  }, [pathname]);
}
