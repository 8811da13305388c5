// What every end-to-end script shares: Debian's chromium (path in the
// CHROMIUM environment variable, set by the Rust tests' run_script)
// launched headless by Playwright's library, with the flags this
// machine's closed network needs (no background connections, no QUIC:
// otherwise chromium keeps trying hosts it cannot reach).

import { chromium } from "playwright-core";

export const PHONE = { width: 360, height: 800 };

export async function launch() {
  const executablePath = process.env.CHROMIUM;
  if (!executablePath) {
    throw new Error("CHROMIUM is not set (the Rust test's run_script sets it)");
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
