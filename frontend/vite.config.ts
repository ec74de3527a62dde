/// <reference types="vitest/config" />
// Vite: dev server with the backend behind /api and /health, the production build, and the unit tests.
import { fileURLToPath, URL } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

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
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
].join("; ");

export default defineConfig({
  plugins: [react()],
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
