// Formatting for what traders read: every market time is shown in IST, whatever the viewer's time zone.

const istTime = new Intl.DateTimeFormat("en-IN", {
  timeZone: "Asia/Kolkata",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hourCycle: "h23",
});

/** "14:05:09 IST" */
export function formatTimeIST(instant: Date | number): string {
  return `${istTime.format(instant)} IST`;
}
