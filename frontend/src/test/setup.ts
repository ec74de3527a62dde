// Test setup: DOM matchers, a clean DOM and storage after each test, and what jsdom lacks (matchMedia, scrollTo).
import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach, beforeEach, vi } from "vitest";

beforeEach(() => {
  // React Router's scroll restoration scrolls on every navigation; jsdom does not implement scrolling.
  vi.stubGlobal("scrollTo", vi.fn());
  // jsdom has no matchMedia; the tests run as a light-themed system unless a test says otherwise.
  vi.stubGlobal(
    "matchMedia",
    vi.fn((query: string) => ({
      matches: false,
      media: query,
      onchange: null,
      addEventListener: vi.fn(),
      removeEventListener: vi.fn(),
      addListener: vi.fn(),
      removeListener: vi.fn(),
      dispatchEvent: vi.fn(() => false),
    })),
  );
});

afterEach(() => {
  cleanup();
  window.localStorage.clear();
  document.documentElement.removeAttribute("data-theme");
});
