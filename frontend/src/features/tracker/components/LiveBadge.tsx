// The badge beside the tracker's title: live, delayed (and by how long), market closed, holiday, past session.
import { Badge } from "@/components/Badge";
import { formatAge, formatDayShort, formatMinuteIST } from "@/lib/format";
import type { StreamState } from "../api/stream-minutes";
import type { LiveState } from "../utils/live";

export function LiveBadge({ state, stream }: { state: LiveState; stream: StreamState }) {
  const how = stream === "polling" ? " · checking every minute" : stream === "connecting" ? " · connecting" : "";
  switch (state.kind) {
    case "live":
      return (
        <Badge tone="live" title="New minutes appear here as they are stored">
          Live · {formatMinuteIST(state.latest)} IST{how}
        </Badge>
      );
    case "delayed":
      return (
        <Badge tone="warn" title="The market is open but the latest stored minute is late">
          Delayed
          {Number.isFinite(state.ageMinutes)
            ? ` · last minute ${formatAge(state.ageMinutes)}`
            : " · no minute yet today"}
          {how}
        </Badge>
      );
    case "closed":
      return <Badge tone="neutral">Market closed · {state.detail}</Badge>;
    case "holiday":
      return <Badge tone="neutral">Holiday · {state.name}</Badge>;
    case "past":
      return <Badge tone="neutral">Past session · {formatDayShort(state.date)}</Badge>;
    case "unknown":
      return null;
  }
}
