// The option chain (placeholder): every strike's prices and greeks at a chosen minute.
import { Page } from "@/components/Page";

export function ChainPage() {
  return (
    <Page
      title="Option chain"
      lead="Every strike's prices and greeks for an index and expiry, minute by minute, with replay of the session."
    >
      <p className="placeholder">The chain table comes here.</p>
    </Page>
  );
}
