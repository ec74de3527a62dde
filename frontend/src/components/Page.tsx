// The frame of every page: names the tab, gives the page its one <h1>, and says in a line what it is for.
import type { ReactNode } from "react";
import { useDocumentTitle } from "@/lib/document-title";

interface PageProps {
  title: string;
  /** One sentence under the heading. */
  lead?: ReactNode;
  children?: ReactNode;
}

export function Page({ title, lead, children }: PageProps) {
  useDocumentTitle(title);
  return (
    <div className="page">
      <div className="page__head">
        {/* tabIndex -1: AppShell moves focus here after a navigation so screen readers announce the new page. */}
        <h1 className="page__title" tabIndex={-1}>
          {title}
        </h1>
        {lead ? <p className="page__lead">{lead}</p> : null}
      </div>
      {children}
    </div>
  );
}
