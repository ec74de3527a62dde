// Error boundaries: one per route (RouteErrorBoundary), and a plain one for a widget inside a page.
import { Component, type ErrorInfo, type ReactNode } from "react";
import { isRouteErrorResponse, useLocation, useNavigate, useRouteError } from "react-router";
import { useDocumentTitle } from "@/lib/document-title";
import { ErrorNotice } from "./ErrorNotice";
import { NotFound } from "./NotFound";

/**
 * A lazy page whose file is gone: usually a new release replaced the files since this tab loaded.
 * Browsers word it differently; a reload fetches the new release.
 */
export function isChunkLoadError(error: unknown): boolean {
  return (
    error instanceof Error &&
    /dynamically imported module|importing a module script failed|error loading dynamically imported module/i.test(
      error.message,
    )
  );
}

function reloadPage() {
  window.location.reload();
}

/** Shown in place of a page that failed; the header, navigation and footer stay usable around it. */
export function RouteErrorBoundary() {
  const error = useRouteError();
  const location = useLocation();
  const navigate = useNavigate();
  useDocumentTitle("Error");

  if (isRouteErrorResponse(error) && error.status === 404) return <NotFound />;

  if (isChunkLoadError(error)) {
    return (
      <ErrorNotice error={error} title="This page could not be loaded">
        <p>Market Edge may have been updated since this tab opened. Reloading fetches the new version.</p>
        <button type="button" className="button" onClick={reloadPage}>
          Reload page
        </button>
      </ErrorNotice>
    );
  }

  // Navigating to the same address again gives the route a fresh start.
  const retry = () => {
    void navigate(location, { replace: true });
  };
  const shown = isRouteErrorResponse(error) ? new Error(`${String(error.status)} ${error.statusText}`) : error;
  return <ErrorNotice error={shown} title="This page failed" onRetry={retry} />;
}

interface ErrorBoundaryProps {
  children: ReactNode;
  /** What to show instead of the children; `reset` renders them again. */
  fallback?: (error: unknown, reset: () => void) => ReactNode;
}

interface ErrorBoundaryState {
  error: unknown;
  failed: boolean;
}

/** Keeps a failing part of a page (a chart, a table) from taking the whole page down. */
export class ErrorBoundary extends Component<ErrorBoundaryProps, ErrorBoundaryState> {
  override state: ErrorBoundaryState = { error: null, failed: false };

  static getDerivedStateFromError(error: unknown): ErrorBoundaryState {
    return { error, failed: true };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error("Caught by ErrorBoundary", error, info.componentStack);
  }

  reset = () => {
    this.setState({ error: null, failed: false });
  };

  override render() {
    if (!this.state.failed) return this.props.children;
    if (this.props.fallback) return this.props.fallback(this.state.error, this.reset);
    return <ErrorNotice error={this.state.error} onRetry={this.reset} />;
  }
}
