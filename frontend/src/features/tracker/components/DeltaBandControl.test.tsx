import { fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { clampBand, DeltaBandControl } from "./DeltaBandControl";

describe("clampBand", () => {
  it("keeps the lower edge below the upper by one step, inside [0, 1]", () => {
    expect(clampBand({ min: 0.7, max: 0.6 }, "min")).toEqual({ min: 0.59, max: 0.6 });
    expect(clampBand({ min: 0.7, max: 0.6 }, "max")).toEqual({ min: 0.7, max: 0.71 });
    expect(clampBand({ min: -1, max: 2 }, "min")).toEqual({ min: 0, max: 1 });
    expect(clampBand({ min: 1, max: 1 }, "min")).toEqual({ min: 0.99, max: 1 });
  });
});

describe("DeltaBandControl", () => {
  it("follows the handles once they rest, and applies presets and typed values at once", async () => {
    vi.useFakeTimers();
    const onChange = vi.fn();
    render(<DeltaBandControl value={{ min: 0.05, max: 0.6 }} onChange={onChange} settleMs={200} />);

    fireEvent.change(screen.getByRole("slider", { name: "Lower delta" }), { target: { value: "0.1" } });
    fireEvent.change(screen.getByRole("slider", { name: "Lower delta" }), { target: { value: "0.15" } });
    expect(screen.getByRole("spinbutton", { name: "From" })).toHaveValue(0.15);
    expect(onChange).not.toHaveBeenCalled();
    vi.advanceTimersByTime(250);
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onChange).toHaveBeenLastCalledWith({ min: 0.15, max: 0.6 });
    vi.useRealTimers();

    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "0.40–0.60" }));
    expect(onChange).toHaveBeenLastCalledWith({ min: 0.4, max: 0.6 });
    expect(screen.getByRole("button", { name: "0.40–0.60" })).toHaveAttribute("aria-pressed", "true");
  });

  it("refuses a typed band that would cross itself by moving the other edge", async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    render(<DeltaBandControl value={{ min: 0.05, max: 0.6 }} onChange={onChange} />);
    const from = screen.getByRole("spinbutton", { name: "From" });
    await user.clear(from);
    await user.type(from, "0.8{Enter}");
    expect(onChange).toHaveBeenLastCalledWith({ min: 0.59, max: 0.6 });
  });
});
