// The paper C.Hasil the end-to-end scripts copy into the entry screen,
// the photograph they take of it, and the steps that type it: shared by
// entry.mjs (the tests) and measure-kpps.mjs (the measurements).

import { deflateSync, crc32 } from "node:zlib";
import { WAIT } from "./pages.mjs";

/**
 * A PNG of `width` x `height` (a grey gradient with dark bands, like lines
 * of a photographed page); `noise` adds up to that much grain to each
 * pixel, so that a JPEG of it is as large as a real photograph's.
 */
export function png(width, height, noise = 0) {
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const rows = [];
  let seed = 1;
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + 3 * width);
    for (let x = 0; x < width; x++) {
      const v = y % 16 < 3 ? 40 : 200 + ((x * 50) / width) | 0;
      // A cheap deterministic grain (a linear congruential step per pixel).
      seed = (seed * 1103515245 + 12345) >>> 0;
      const grain = noise ? (seed >>> 16) % (noise + 1) : 0;
      row.fill(Math.min(255, v + grain), 1 + 3 * x, 4 + 3 * x);
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

// The paper C.Hasil both entries copy: every count, consistent (R1-R7,
// R10 hold); the pairs' votes are spread over however many pairs the
// ballot has.
export const PAPER = {
  pemilih_dpt_l: 120, pemilih_dpt_p: 130, pemilih_dpt_j: 250,
  pengguna_dpt_l: 95, pengguna_dpt_p: 100, pengguna_dpt_j: 195,
  pengguna_dptb_l: 3, pengguna_dptb_p: 2, pengguna_dptb_j: 5,
  pengguna_non_dpt_l: 2, pengguna_non_dpt_p: 3, pengguna_non_dpt_j: 5,
  pengguna_total_l: 100, pengguna_total_p: 105, pengguna_total_j: 205,
  pemilih_disabilitas_l: 2, pemilih_disabilitas_p: 1, pemilih_disabilitas_j: 3,
  pengguna_disabilitas_l: 1, pengguna_disabilitas_p: 1, pengguna_disabilitas_j: 2,
  surat_suara_diterima: 256, surat_suara_rusak: 1, surat_suara_tidak_digunakan: 50, surat_suara_digunakan: 205,
  suara_sah: 200, suara_tidak_sah: 5, suara_total: 205,
};

/**
 * The paper's votes per option box of the ballot shown (200 valid votes):
 * one to each of the first boxes after the first (at most 100), the rest
 * to the first box, none to the others.
 */
export async function optionVotes(page) {
  const fields = await page.$$eval("#entry-first input[data-field^='options.']", (l) => l.map((i) => i.dataset.field));
  const ones = Math.min(fields.length - 1, 100);
  return Object.fromEntries(fields.map((f, i) => [f, i === 0 ? 200 - ones : i <= ones ? 1 : 0]));
}

/**
 * Types `values` into the boxes of an entry (`stage` "first" or "second"),
 * key by key as an officer would; `bulk` sets them all at once (each with
 * its input event), for a ballot of many candidates.
 */
export async function type(page, stage, values, bulk = false) {
  if (bulk) {
    await page.evaluate(([stage, values]) => {
      for (const [field, v] of Object.entries(values)) {
        const box = document.querySelector(`#entry-${stage} input[data-field="${field}"]`);
        box.value = String(v);
        box.dispatchEvent(new Event("input", { bubbles: true }));
      }
    }, [stage, values]);
    return;
  }
  for (const [field, v] of Object.entries(values)) {
    await page.fill(`#entry-${stage} input[data-field="${field}"]`, String(v));
  }
}

/** The double entry: the second copy of the totals and options, `changed` overriding some. */
export async function secondEntry(page, options, changed = {}, bulk = false) {
  await page.click("#to-second");
  await page.waitForSelector("#entry-second:not([hidden])", WAIT);
  const asked = await page.$$eval("#entry-second input", (l) => l.map((i) => i.dataset.field));
  const all = { ...PAPER, ...options, ...changed };
  await type(page, "second", Object.fromEntries(asked.map((f) => [f, all[f]])), bulk);
  await page.click("#compare");
}
