// Sets the browser tab's title for the page on screen, so history, tabs and screen readers name it.
import { useEffect } from "react";

export const PRODUCT_NAME = "Market Edge";

export function useDocumentTitle(pageTitle: string): void {
  useEffect(() => {
    document.title = `${pageTitle} · ${PRODUCT_NAME}`;
  }, [pageTitle]);
}
