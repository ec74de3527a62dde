// Guards the promise in tokens.css: market and status colours read at >= 4.5:1 on every background, both themes.
import { describe, expect, it } from "vitest";
import tokensCss from "./tokens.css?raw";

type Pair = [light: string, dark: string];

function colourTokens(css: string): Map<string, Pair> {
  const tokens = new Map<string, Pair>();
  for (const match of css.matchAll(/--(color-[\w-]+):\s*light-dark\(\s*(#[0-9a-f]{6})\s*,\s*(#[0-9a-f]{6})\s*\)/gi)) {
    const [, name, light, dark] = match;
    if (name && light && dark) tokens.set(name, [light, dark]);
  }
  return tokens;
}

function luminance(hex: string): number {
  const [r = 0, g = 0, b = 0] = [1, 3, 5].map((start) => {
    const channel = parseInt(hex.slice(start, start + 2), 16) / 255;
    return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio. */
function contrast(a: string, b: string): number {
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (high + 0.05) / (low + 0.05);
}

const tokens = colourTokens(tokensCss);
const BACKGROUNDS = ["color-bg", "color-surface", "color-surface-raised"];
const FOREGROUNDS = [
  "color-text",
  "color-text-muted",
  "color-accent",
  "color-ce",
  "color-pe",
  "color-net",
  "color-up",
  "color-down",
  "color-ok",
  "color-warn",
  "color-fail",
];

describe("tokens.css colours", () => {
  it("are all light-dark() pairs of hex colours", () => {
    for (const name of [...BACKGROUNDS, ...FOREGROUNDS]) expect(tokens.has(name), name).toBe(true);
  });

  it("keep WCAG contrast >= 4.5:1 for text on every background, in both themes", () => {
    for (const [theme, index] of [
      ["light", 0],
      ["dark", 1],
    ] as const) {
      for (const foreground of FOREGROUNDS) {
        for (const background of BACKGROUNDS) {
          const ratio = contrast(tokens.get(foreground)?.[index] ?? "", tokens.get(background)?.[index] ?? "");
          expect(ratio, `${theme}: ${foreground} on ${background}`).toBeGreaterThanOrEqual(4.5);
        }
      }
    }
  });

  it("keep the button text readable on the accent", () => {
    for (const index of [0, 1]) {
      const ratio = contrast(tokens.get("color-accent-text")?.[index] ?? "", tokens.get("color-accent")?.[index] ?? "");
      expect(ratio).toBeGreaterThanOrEqual(4.5);
    }
  });
});
