// The status page: the backend's readiness checks, refreshed while it is open.
import { ErrorNotice } from "@/components/ErrorNotice";
import { Page } from "@/components/Page";
import { Skeleton } from "@/components/Skeleton";
import { formatTimeIST } from "@/lib/format";
import { useHealthReady, type CheckStatus, type HealthReport } from "../api/get-health-ready";

export function StatusPage() {
  const { data, error, isPending, isFetching, dataUpdatedAt, refetch } = useHealthReady();
  const retry = () => {
    void refetch();
  };

  return (
    <Page title="Status" lead="Whether the Market Edge backend is ready to serve, check by check.">
      {isPending ? <Skeleton label="Checking the backend…" /> : null}
      {error !== null ? <ErrorNotice error={error} title="Could not get the backend's status" onRetry={retry} /> : null}
      {/* A failed refresh keeps the last report on screen, under the error. */}
      {data ? <HealthReportView report={data} checkedAt={dataUpdatedAt} refreshing={isFetching} /> : null}
    </Page>
  );
}

/** The status as a word, coloured, with a mark (✓ ! ✕ from CSS) so colour is never the only cue. */
function StatusText({ status }: { status: CheckStatus }) {
  return <span className={`status status--${status}`}>{status}</span>;
}

function HealthReportView({
  report,
  checkedAt,
  refreshing,
}: {
  report: HealthReport;
  checkedAt: number;
  refreshing: boolean;
}) {
  const checks = Object.entries(report.checks);
  return (
    <section className="panel" aria-labelledby="status-overall">
      <div className="panel__head">
        <h2 id="status-overall" className="panel__title">
          Overall: <StatusText status={report.status} />
        </h2>
        <p className="panel__meta" aria-live="polite">
          {refreshing ? "Checking…" : `Checked at ${formatTimeIST(checkedAt)}`}
        </p>
      </div>
      {checks.length === 0 ? (
        <p>The backend reported no checks.</p>
      ) : (
        <div className="table-scroll">
          <table className="table">
            <caption className="visually-hidden">Readiness checks</caption>
            <thead>
              <tr>
                <th scope="col">Check</th>
                <th scope="col">Status</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {checks.map(([name, check]) => (
                <tr key={name}>
                  <th scope="row" className="table__name">
                    {name}
                  </th>
                  <td>
                    <StatusText status={check.status} />
                  </td>
                  <td className="table__detail">{check.detail || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
