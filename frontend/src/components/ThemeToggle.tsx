// The light/dark switch in the header.
import { useTheme } from "@/lib/theme";

export function ThemeToggle() {
  const { theme, followsSystem, toggleTheme } = useTheme();
  const dark = theme === "dark";
  return (
    <button
      type="button"
      className="theme-toggle"
      aria-pressed={dark}
      onClick={toggleTheme}
      title={followsSystem ? "Follows your system setting until you choose" : "Your choice, remembered on this device"}
    >
      <svg className="theme-toggle__icon" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
        {dark ? (
          <path d="M6 1.5a6.5 6.5 0 1 0 8.5 8.5A5.5 5.5 0 0 1 6 1.5Z" />
        ) : (
          <>
            <circle cx="8" cy="8" r="3" />
            <path d="M8 0.5v2M8 13.5v2M0.5 8h2M13.5 8h2M2.7 2.7l1.4 1.4M11.9 11.9l1.4 1.4M2.7 13.3l1.4-1.4M11.9 4.1l1.4-1.4" />
          </>
        )}
      </svg>
      <span className="theme-toggle__label">Dark theme</span>
    </button>
  );
}
