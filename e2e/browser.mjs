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

// The environment variables a script needs, each required: an unset one
// stops the script with its name.
export function required(...names) {
  const out = {};
  for (const name of names) {
    if (!process.env[name]) {
      throw new Error(`${name} is not set`);
    }
    out[name] = process.env[name];
  }
  return out;
}

// What went wrong on a page, as it happens: an uncaught error and a
// Content-Security-Policy violation (which the console reports).
export function watch(page) {
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error" && m.text().includes("Content Security Policy")) errors.push(m.text());
  });
  return errors;
}
