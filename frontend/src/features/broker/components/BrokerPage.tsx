// The broker connection (placeholder): the Upstox link that feeds Market Edge its data.
import { Page } from "@/components/Page";

export function BrokerPage() {
  return (
    <Page
      title="Broker"
      lead="The Upstox connection that feeds Market Edge: whether its access token is valid and when it renews."
    >
      <p className="placeholder">Connecting and renewing the Upstox token comes here.</p>
    </Page>
  );
}
