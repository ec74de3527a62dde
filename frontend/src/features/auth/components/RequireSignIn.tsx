// Around the pages that show market data: sends a visitor who is not signed in to the sign-in page, and a person
// who has not accepted the current privacy notice to the consent screen, and back here afterwards; a session
// that ends while the page is open says so there.
import { useQueryClient } from "@tanstack/react-query";
import { Navigate, Outlet, useLocation } from "react-router";
import { ErrorNotice } from "@/components/ErrorNotice";
import { Skeleton } from "@/components/Skeleton";
import { isWakingUp, WakingUp } from "@/components/WakingUp";
import { useMe } from "@/api/get-me";
import { SESSION_ENDED_KEY, type SessionEnd } from "@/lib/query-client";
import { consentPath, signInPath } from "./safe-next";

export function RequireSignIn() {
  const me = useMe();
  const location = useLocation();
  const queryClient = useQueryClient();

  if (me.data === undefined && isWakingUp(me.error ?? me.failureReason)) {
    const failed = me.error ?? me.failureReason;
    return (
      <WakingUp
        retry={me.refetch}
        fallback={<ErrorNotice error={failed} title="Could not check your session" onRetry={() => void me.refetch()} />}
      />
    );
  }
  if (me.isPending) return <Skeleton label="Checking your session…" />;
  if (me.isError && me.data === undefined) {
    return <ErrorNotice error={me.error} title="Could not check your session" onRetry={() => void me.refetch()} />;
  }
  if (!me.data) {
    const ended = queryClient.getQueryData<SessionEnd>(SESSION_ENDED_KEY) ?? false;
    return <Navigate to={signInPath(`${location.pathname}${location.search}`, ended)} replace />;
  }
  if (me.data.consent?.needed) return <Navigate to={consentPath(`${location.pathname}${location.search}`)} replace />;
  return <Outlet />;
}
