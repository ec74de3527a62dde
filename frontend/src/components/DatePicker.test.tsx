import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { DatePicker } from "./DatePicker";

const DAYS = ["2026-10-30", "2026-11-23", "2026-11-25"];

function Harness() {
  const [day, setDay] = useState("2026-11-25");
  return (
    <>
      <DatePicker label="Date" value={day} available={DAYS} onChange={setDay} />
      <output>{day}</output>
    </>
  );
}

describe("DatePicker", () => {
  it("offers only the days with data, by mouse", async () => {
    const user = userEvent.setup();
    render(<Harness />);
    await user.click(screen.getByRole("button", { name: "Date Wed, 25 Nov 2026" }));
    expect(screen.getByRole("dialog", { name: "Date: days with data can be picked" })).toBeInTheDocument();
    expect(screen.getByText("November 2026")).toBeInTheDocument();

    const holiday = screen.getByRole("button", { name: "Tuesday 24 November 2026, no data" });
    expect(holiday).toHaveAttribute("aria-disabled", "true");
    await user.click(holiday);
    expect(screen.getByText("2026-11-25", { selector: "output" })).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Monday 23 November 2026" }));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(screen.getByText("2026-11-23", { selector: "output" })).toBeInTheDocument();
  });

  it("works by keyboard: arrows, Page Up, Enter, Escape", async () => {
    const user = userEvent.setup();
    render(<Harness />);
    const field = screen.getByRole("button", { name: "Date Wed, 25 Nov 2026" });
    field.focus();
    await user.keyboard("{Enter}");
    expect(screen.getByRole("button", { name: "Wednesday 25 November 2026" })).toHaveFocus();

    await user.keyboard("{ArrowLeft}{ArrowLeft}");
    expect(screen.getByRole("button", { name: "Monday 23 November 2026" })).toHaveFocus();
    await user.keyboard("{PageUp}");
    expect(screen.getByText("October 2026")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Friday 23 October 2026, no data" })).toHaveFocus();
    await user.keyboard("{ArrowDown}{Enter}");
    expect(screen.getByText("2026-10-30", { selector: "output" })).toBeInTheDocument();
    expect(field).toHaveFocus();

    await user.keyboard("{Enter}{Escape}");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(field).toHaveFocus();
  });

  it("does not page past the months with data", async () => {
    const user = userEvent.setup();
    render(<Harness />);
    await user.click(screen.getByRole("button", { name: /^Date/ }));
    expect(screen.getByRole("button", { name: "Next month" })).toBeDisabled();
    await user.click(screen.getByRole("button", { name: "Previous month" }));
    expect(screen.getByRole("button", { name: "Previous month" })).toBeDisabled();
  });
});
