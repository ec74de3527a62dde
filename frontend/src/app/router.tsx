// The routes: each page is its own chunk, loaded when first visited, inside its own error boundary.
import { Outlet, ScrollRestoration, useNavigation, type RouteObject } from "react-router";
import { AppShell } from "@/components/AppShell";
import { ErrorNotice } from "@/components/ErrorNotice";
import { RouteErrorBoundary } from "@/components/ErrorBoundary";
import { NotFound } from "@/components/NotFound";
import { Skeleton } from "@/components/Skeleton";
import { AccountMenu } from "@/features/auth/components/AccountMenu";
import { RequireSignIn } from "@/features/auth/components/RequireSignIn";

function RootLayout() {
  // While the next page's chunk loads, the current page stays on screen and a thin bar shows progress.
  const navigation = useNavigation();
  return (
    <AppShell busy={navigation.state === "loading"} account={<AccountMenu />}>
      <Outlet />
      <ScrollRestoration />
    </AppShell>
  );
}

/** The shell with a placeholder while the first page's chunk arrives. */
function FirstLoad() {
  return (
    <AppShell busy>
      <Skeleton label="Loading the page…" />
    </AppShell>
  );
}

/** Only if the shell itself fails: no router-driven parts here, just the message and the disclaimer's spirit. */
function RootError() {
  return (
    <main id="main-content" className="shell__main shell__main--bare">
      <ErrorNotice error={new Error("Market Edge could not start. Reload the page to try again.")} />
    </main>
  );
}

export const routes: RouteObject[] = [
  {
    path: "/",
    Component: RootLayout,
    HydrateFallback: FirstLoad,
    ErrorBoundary: RootError,
    children: [
      {
        // Market data is for signed-in people only: without a session these send to the sign-in page.
        Component: RequireSignIn,
        ErrorBoundary: RouteErrorBoundary,
        children: [
          {
            index: true,
            ErrorBoundary: RouteErrorBoundary,
            lazy: async () => ({ Component: (await import("@/features/tracker/components/TrackerPage")).TrackerPage }),
          },
          {
            path: "chain",
            ErrorBoundary: RouteErrorBoundary,
            lazy: async () => ({ Component: (await import("@/features/chain/components/ChainPage")).ChainPage }),
          },
          {
            path: "broker",
            ErrorBoundary: RouteErrorBoundary,
            lazy: async () => ({ Component: (await import("@/features/broker/components/BrokerPage")).BrokerPage }),
          },
        ],
      },
      {
        path: "status",
        ErrorBoundary: RouteErrorBoundary,
        lazy: async () => ({ Component: (await import("@/features/status/components/StatusPage")).StatusPage }),
      },
      {
        path: "login",
        ErrorBoundary: RouteErrorBoundary,
        lazy: async () => ({ Component: (await import("@/features/auth/components/LoginPage")).LoginPage }),
      },
      {
        // Signed in, the current privacy notice not yet accepted: RequireSignIn sends people here first.
        path: "consent",
        ErrorBoundary: RouteErrorBoundary,
        lazy: async () => ({ Component: (await import("@/features/auth/components/ConsentPage")).ConsentPage }),
      },
      {
        path: "legal/terms",
        ErrorBoundary: RouteErrorBoundary,
        lazy: async () => ({ Component: (await import("@/features/legal/components/LegalPages")).TermsPage }),
      },
      {
        path: "legal/privacy",
        ErrorBoundary: RouteErrorBoundary,
        lazy: async () => ({ Component: (await import("@/features/legal/components/LegalPages")).PrivacyPage }),
      },
      {
        path: "legal/disclaimer",
        ErrorBoundary: RouteErrorBoundary,
        lazy: async () => ({ Component: (await import("@/features/legal/components/LegalPages")).DisclaimerPage }),
      },
      {
        path: "legal/accessibility",
        ErrorBoundary: RouteErrorBoundary,
        lazy: async () => ({ Component: (await import("@/features/legal/components/LegalPages")).AccessibilityPage }),
      },
      { path: "*", Component: NotFound, ErrorBoundary: RouteErrorBoundary },
    ],
  },
];
