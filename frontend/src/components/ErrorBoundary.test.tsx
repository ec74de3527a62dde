import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, Outlet, RouterProvider } from "react-router";
import { describe, expect, it, vi } from "vitest";
import { ErrorBoundary, RouteErrorBoundary } from "./ErrorBoundary";

function renderFailingRoute(failure: () => never) {
  const Broken = () => failure();
  const router = createMemoryRouter(
    [
      {
        path: "/",
        Component: () => (
          <div>
            <nav aria-label="Main">still here</nav>
            <Outlet />
          </div>
        ),
        children: [{ path: "broken", Component: Broken, ErrorBoundary: RouteErrorBoundary }],
      },
    ],
    { initialEntries: ["/broken"] },
  );
  render(<RouterProvider router={router} />);
}

describe("RouteErrorBoundary", () => {
  it("shows the failure in place of the page and keeps the layout around it", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    renderFailingRoute(() => {
      throw new Error("strike list is empty");
    });

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("This page failed");
    expect(alert).toHaveTextContent("strike list is empty");
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
    expect(screen.getByRole("navigation", { name: "Main" })).toBeInTheDocument();
  });

  it("offers a reload when a page's code could not be loaded", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    renderFailingRoute(() => {
      throw new TypeError("Failed to fetch dynamically imported module: /assets/ChainPage-abc.js");
    });

    expect(await screen.findByRole("alert")).toHaveTextContent("This page could not be loaded");
    expect(screen.getByRole("button", { name: "Reload page" })).toBeInTheDocument();
  });
});

describe("ErrorBoundary", () => {
  it("contains a failing widget and renders it again on Try again", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const user = userEvent.setup();
    let fail = true;
    function Chart() {
      if (fail) throw new Error("no series");
      return <p>chart drawn</p>;
    }
    render(
      <ErrorBoundary>
        <Chart />
      </ErrorBoundary>,
    );

    expect(screen.getByRole("alert")).toHaveTextContent("no series");
    fail = false;
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(screen.getByText("chart drawn")).toBeInTheDocument();
  });
});
