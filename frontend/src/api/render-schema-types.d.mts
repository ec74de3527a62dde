/** The TypeScript types of an OpenAPI document, as `npm run api` writes them to schema.d.ts. */
export function renderSchemaTypes(document: object): Promise<string>;
