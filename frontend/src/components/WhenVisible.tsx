// Mounts its children once their place comes near the screen: what is below the fold (the tracker's minute table)
// loads its code when a person scrolls to it, not with the page. Without IntersectionObserver, at once.
import { useEffect, useRef, useState, type ReactNode } from "react";

interface WhenVisibleProps {
  children: ReactNode;
  /** Shown (and holding the place) until then. */
  placeholder: ReactNode;
  className?: string;
  /** How far below the screen the place may still be, in CSS pixels. */
  margin?: number;
}

export function WhenVisible({ children, placeholder, className, margin = 300 }: WhenVisibleProps) {
  const place = useRef<HTMLDivElement>(null);
  const [shown, setShown] = useState(() => typeof IntersectionObserver === "undefined");

  useEffect(() => {
    const element = place.current;
    if (shown || !element) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) setShown(true);
      },
      { rootMargin: `${String(margin)}px 0px` },
    );
    observer.observe(element);
    return () => {
      observer.disconnect();
    };
  }, [shown, margin]);

  return (
    <div ref={place} className={className}>
      {shown ? children : placeholder}
    </div>
  );
}
