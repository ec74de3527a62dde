// Test setup: DOM matchers, a clean DOM and storage after each test, and what jsdom lacks (matchMedia, scrollTo).
import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach, beforeEach, vi } from "vitest";

// A screen waits on a few fake requests and lazy chunks; on a busy machine that takes more than 1 s.
configure({ asyncUtilTimeout: 5000 });

// uPlot draws on a canvas, which jsdom lacks: screen tests get a stand-in that exposes the chart's data.
vi.mock("@/components/charts/TimeChart", () => import("./FakeTimeChart"));

class NoResizeObserver {
  observe() {
    /* jsdom lays nothing out: there is never a resize to report */
  }
  unobserve() {
    /* nothing observed */
  }
  disconnect() {
    /* nothing observed */
  }
}

// jsdom lays nothing out, so every element measures 0×0 and a virtualised table would show no rows: give the
// scrolling viewports a screen's size.
function viewportSize(element: HTMLElement, size: number): number {
  return element.classList.contains("table-viewport") ? size : 0;
}
Object.defineProperty(HTMLElement.prototype, "clientHeight", {
  configurable: true,
  get(this: HTMLElement) {
    return viewportSize(this, 600);
  },
});
Object.defineProperty(HTMLElement.prototype, "clientWidth", {
  configurable: true,
  get(this: HTMLElement) {
    return viewportSize(this, 1200);
  },
});

beforeEach(() => {
  vi.stubGlobal("ResizeObserver", NoResizeObserver);
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
