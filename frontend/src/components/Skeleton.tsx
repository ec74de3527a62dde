// A grey placeholder in the shape of content that is still loading.
interface SkeletonProps {
  /** Read out to screen readers instead of the grey bars. */
  label?: string;
  lines?: number;
}

export function Skeleton({ label = "Loading…", lines = 4 }: SkeletonProps) {
  return (
    <div className="skeleton" role="status">
      <span className="visually-hidden">{label}</span>
      {Array.from({ length: lines }, (_, index) => (
        <span key={index} className="skeleton__line" aria-hidden="true" />
      ))}
    </div>
  );
}
