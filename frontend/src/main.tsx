// Entry point: applies the theme, then renders the app.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "@/app/App";
import { initTheme } from "@/lib/theme";
import "@/styles/tokens.css";
import "@/styles/global.css";

// The CSP allows no inline script, so the remembered theme is applied here, before the first render. Until
// this module runs the page shows the system theme; with an empty #root that is at most a flash of background.
initTheme();

const container = document.getElementById("root");
if (!container) throw new Error("index.html has no #root element");
createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
