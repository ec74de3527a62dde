// Light/dark theme: follows the system until the person picks one, and remembers only that pick.
import { createContext, useCallback, useContext, useMemo, useSyncExternalStore, type ReactNode } from "react";

export type Theme = "light" | "dark";

/** The only thing Market Edge keeps in localStorage: the theme pick, never tokens or personal data. */
export const THEME_STORAGE_KEY = "market-edge:theme";
const DARK_QUERY = "(prefers-color-scheme: dark)";

function isTheme(value: unknown): value is Theme {
  return value === "light" || value === "dark";
}

export function readStoredTheme(): Theme | null {
  try {
    const value = window.localStorage.getItem(THEME_STORAGE_KEY);
    return isTheme(value) ? value : null;
  } catch {
    // Storage can be switched off (privacy modes); then the system theme rules.
    return null;
  }
}

function writeStoredTheme(theme: Theme | null): void {
  try {
    if (theme === null) window.localStorage.removeItem(THEME_STORAGE_KEY);
    else window.localStorage.setItem(THEME_STORAGE_KEY, theme);
  } catch {
    // Not remembered across visits; the choice still holds for this page.
  }
}

export function systemTheme(): Theme {
  return window.matchMedia(DARK_QUERY).matches ? "dark" : "light";
}

/**
 * Put the pick on <html> as data-theme; no pick means no attribute, and tokens.css follows the system.
 * main.tsx calls this before React renders, because the CSP forbids the usual inline <script> in <head>.
 */
export function applyTheme(theme: Theme | null): void {
  const root = document.documentElement;
  if (theme === null) root.removeAttribute("data-theme");
  else root.setAttribute("data-theme", theme);
}

// The pick lives in one small store so every component that reads it sees the same value.
let picked: Theme | null = null;
const listeners = new Set<() => void>();

export function initTheme(): void {
  picked = readStoredTheme();
  applyTheme(picked);
}

function setPicked(theme: Theme | null): void {
  picked = theme;
  writeStoredTheme(theme);
  applyTheme(theme);
  listeners.forEach((notify) => {
    notify();
  });
}

function subscribePicked(notify: () => void): () => void {
  listeners.add(notify);
  return () => listeners.delete(notify);
}

function subscribeSystem(notify: () => void): () => void {
  const query = window.matchMedia(DARK_QUERY);
  query.addEventListener("change", notify);
  return () => {
    query.removeEventListener("change", notify);
  };
}

interface ThemeContextValue {
  /** The theme on screen. */
  theme: Theme;
  /** True while no pick is stored and the theme follows the system. */
  followsSystem: boolean;
  toggleTheme: () => void;
}

const ThemeContext = createContext<ThemeContextValue | null>(null);

export function ThemeProvider({ children }: { children: ReactNode }) {
  const pick = useSyncExternalStore(subscribePicked, () => picked);
  const system = useSyncExternalStore(subscribeSystem, systemTheme);
  const theme = pick ?? system;

  const toggleTheme = useCallback(() => {
    const next: Theme = theme === "dark" ? "light" : "dark";
    // Toggling back to what the system shows drops the pick, so the page follows the system again.
    setPicked(next === systemTheme() ? null : next);
  }, [theme]);

  const value = useMemo(() => ({ theme, followsSystem: pick === null, toggleTheme }), [theme, pick, toggleTheme]);
  return <ThemeContext.Provider value={value}>{children}</ThemeContext.Provider>;
}

export function useTheme(): ThemeContextValue {
  const value = useContext(ThemeContext);
  if (value === null) throw new Error("useTheme must be used inside <ThemeProvider>");
  return value;
}
