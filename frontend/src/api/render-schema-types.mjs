// OpenAPI document → TypeScript types, the same way for the generator script and the staleness test.
import openapiTS, { astToString } from "openapi-typescript";

const HEADER = "// Generated from openapi.json by `npm run api` (scripts/openapi.mjs). Do not edit by hand.\n\n";

/** @param {object} document the parsed OpenAPI document */
export async function renderSchemaTypes(document) {
  const ast = await openapiTS(document, { alphabetize: true, exportType: false });
  return HEADER + astToString(ast);
}
