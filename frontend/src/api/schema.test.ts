// schema.d.ts is what openapi.json says: regenerate both with `npm run api` after changing the backend's API.
// (tests/test_ui_openapi.py checks that openapi.json is what the backend publishes.)
import { describe, expect, it } from "vitest";
import openapiText from "./openapi.json?raw";
import { renderSchemaTypes } from "./render-schema-types.mjs";
import schemaText from "./schema.d.ts?raw";

describe("the generated API types", () => {
  it("match openapi.json (run `npm run api` if this fails)", async () => {
    expect(await renderSchemaTypes(JSON.parse(openapiText) as object)).toBe(schemaText);
  });
});
