/// <reference types="vitest/config" />
// Vite: dev server with the backend behind /api and /health, the production build, and the unit tests.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, URL } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

/**
 * The API's origin when the UI is served from another one (docs/deploy.md): `VITE_API_ORIGIN=https://api.example.com
 * npm run build`. Empty: the backend serves the UI and the API on one origin.
 */
const apiOrigin = (process.env.VITE_API_ORIGIN ?? "").replace(/\/+$/, "");
if (apiOrigin && !/^https?:\/\/[^/?#\s]+$/.test(apiOrigin)) {
  throw new Error(`VITE_API_ORIGIN must be an origin such as https://api.example.com (no path), got ${apiOrigin}`);
}

/** Where `npm run dev` and `vite preview` send /api and /health; BACKEND_URL overrides it. */
const backendUrl = process.env.BACKEND_URL ?? "http://127.0.0.1:8000";
const backendProxy = {
  "/api": { target: backendUrl, changeOrigin: false },
  "/health": { target: backendUrl, changeOrigin: false },
};

/**
 * The policy the backend sends with the app in production. `vite preview` sends it too, so a built bundle
 * that would break under it (an inline script or style) breaks here first. The dev server cannot: its hot
 * reload injects inline scripts and styles.
 */
const POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  apiOrigin ? `connect-src 'self' ${apiOrigin}` : "connect-src 'self'",
];
export const CONTENT_SECURITY_POLICY = [...POLICY, "frame-ancestors 'none'"].join("; ");

/**
 * The policy in the page itself, so a static host (Vercel) that knows nothing of the API's origin still sends it
 * (frame-ancestors cannot be set this way: X-Frame-Options in vercel.json does that part). The backend, when it
 * serves the page, sends the same policy as a header as well.
 */
function policyInThePage(): Plugin {
  return {
    name: "marketedge-csp-meta",
    apply: "build",
    transformIndexHtml: (html) =>
      html.replace(
        '<meta charset="UTF-8" />',
        `<meta charset="UTF-8" />\n    <meta http-equiv="Content-Security-Policy" content="${POLICY.join("; ")}" />`,
      ),
  };
}

/** Each built asset also as .br and .gz, for a server that sends the one the browser accepts (docs/deploy.md). */
function precompressed(): Plugin {
  const assets = fileURLToPath(new URL("./dist/assets", import.meta.url));
  return {
    name: "marketedge-precompress",
    apply: "build",
    closeBundle() {
      for (const name of readdirSync(assets)) {
        if (!/\.(js|css|svg|json)$/.test(name)) continue;
        const path = join(assets, name);
        const data = readFileSync(path);
        if (data.length < 1024) continue; // smaller than a packet: not worth a second request path
        writeFileSync(`${path}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        writeFileSync(`${path}.gz`, gzipSync(data, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), policyInThePage(), precompressed()],
  resolve: {
    alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) },
  },
  server: {
    proxy: backendProxy,
  },
  preview: {
    proxy: backendProxy,
    headers: { "Content-Security-Policy": CONTENT_SECURITY_POLICY },
  },
  build: {
    outDir: "dist",
    // Every browser in our browserslist supports modulepreload; the polyfill would be dead weight.
    modulePreload: { polyfill: false },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    // tokens.test.ts reads tokens.css as text; every other stylesheet is skipped in tests.
    css: { include: [/tokens\.css/] },
    restoreMocks: true,
    // Screens wait on lazy chunks and several fake requests; a loaded machine needs more than the default 5 s.
    testTimeout: 20_000,
    unstubGlobals: true,
  },
});
