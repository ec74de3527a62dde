import { describe, expect, it } from "vitest";
import privacy from "@/test/fixtures/legal-privacy.json";
import { effectiveFrom, legalBody } from "./legal-text";

describe("the body of a legal text", () => {
  it("starts after the title and the version line, which the page shows from the same answer", () => {
    const body = legalBody(privacy.markdown);
    expect(body.startsWith("This notice says, in plain words, what personal data")).toBe(true);
    expect(body).not.toContain("# Privacy notice");
    expect(body).not.toContain("Version: 2026-11-25");
    // Everything else is kept, word for word.
    const rest = privacy.markdown.slice(privacy.markdown.indexOf("This notice says"));
    expect(body).toBe(rest);
  });

  it("keeps a text that does not open with a title and a version whole", () => {
    expect(legalBody("Some words.\n\nVersion: 1 is mentioned later.\n")).toBe(
      "Some words.\n\nVersion: 1 is mentioned later.\n",
    );
    expect(legalBody("# Title\r\n\r\nVersion: v2\r\n\r\nText.")).toBe("Text.");
    expect(legalBody("# Title\n\nText.")).toBe("Text.");
  });
});

describe("the date a version takes effect", () => {
  it("reads a dated version and nothing else", () => {
    expect(effectiveFrom("2026-11-25")).toBe("25 November 2026");
    expect(effectiveFrom("2027-01-01")).toBe("1 January 2027");
    expect(effectiveFrom("2026-02-30")).toBeNull();
    expect(effectiveFrom("v3")).toBeNull();
    expect(effectiveFrom("2026-11-25-b")).toBeNull();
  });
});
