// Regenerates the API types: dumps the backend's OpenAPI document, then writes src/api/schema.d.ts from it.
// `npm run api` (needs the backend's virtualenv at ../.venv); tests/test_ui_openapi.py and
// src/api/schema.test.ts fail when either file is stale.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderSchemaTypes } from "../src/api/render-schema-types.mjs";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const python = process.env.PYTHON ?? here("../../.venv/bin/python");
const dump = [
  "import json",
  "from marketedge.app import create_app",
  "print(json.dumps(create_app().openapi(), indent=2, sort_keys=True, ensure_ascii=False))",
].join("; ");

const document = execFileSync(python, ["-c", dump], { cwd: here("../.."), encoding: "utf8" });
writeFileSync(here("../src/api/openapi.json"), document);
writeFileSync(
  here("../src/api/schema.d.ts"),
  await renderSchemaTypes(JSON.parse(readFileSync(here("../src/api/openapi.json"), "utf8"))),
);
console.log("wrote src/api/openapi.json and src/api/schema.d.ts");
