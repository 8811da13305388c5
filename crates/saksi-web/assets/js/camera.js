// Photos of the paper C.Hasil, taken with the phone's camera
// (<input type=file accept="image/*" capture="environment">), 1 to 3 per
// form. Each is re-encoded through a canvas to JPEG, which keeps only the
// pixels (EXIF, GPS position and camera data are dropped), and hashed
// with SHA-256 (WebCrypto): the hashes go into the signed statement's
// `photos`, so the numbers are bound to exactly these bytes, which are
// uploaded afterwards (PUT /api/v1/photos/{sha256}).
import { el, fill } from "./chasil.js";

export const MAX_PHOTOS = 3;
// Long side of the re-encoded photo: the paper stays legible, the upload
// stays small on a slow connection.
const MAX_SIDE = 2000;
const QUALITY = 0.85;

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

// The file re-encoded as JPEG: {blob, sha256, width, height, canvas}.
// Throws {code: "entry.photo_not_an_image"} for a file no image decoder
// reads.
export async function reencode(file) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch (e) {
    throw { code: "entry.photo_not_an_image" };
  }
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
  if (!blob) throw { code: "entry.photo_not_an_image" };
  const sha256 = hex(await crypto.subtle.digest("SHA-256", await blob.arrayBuffer()));
  return { blob, sha256, width: canvas.width, height: canvas.height, canvas };
}

// Mounts the photo picker under `root`; returns {photos(), problem()}:
// the photos taken so far, and the code of what keeps them from being
// signed (none, more than 3) or null. `onChange()` follows every change.
export function mountCamera(root, { messages, onChange }) {
  const m = messages.entry;
  const photos = [];
  const pick = el("input", {
    id: "photo-input",
    type: "file",
    accept: "image/*",
    capture: "environment",
    className: "visually-hidden",
  });
  const add = el("label", { for: "photo-input", className: "button", id: "add-photo", text: m.add_photo });
  const list = el("ul", { id: "photo-list", className: "photo-list" });
  const problem = el("p", { id: "photo-problem", className: "error", role: "alert", hidden: true });
  root.replaceChildren(el("h2", { text: m.photos_heading }), el("p", { text: m.photos_intro }), list, pick, add, problem);

  function say(code) {
    problem.textContent = code ? `${messages.error[code]} (${code})` : "";
    problem.hidden = !code;
  }

  // Draws the list again; `changed` when a photo came or went (the review
  // of the photos signed is then out of date).
  function redraw(changed) {
    list.replaceChildren();
    photos.forEach((p, i) => {
      const n = i + 1;
      const thumb = p.canvas;
      thumb.className = "thumb";
      const remove = el("button", { type: "button", className: "secondary", text: fill(m.remove_photo, { n }) });
      remove.addEventListener("click", () => {
        photos.splice(i, 1);
        say(null);
        redraw(true);
      });
      const label = fill(m.photo_label, { n, kb: Math.ceil(p.blob.size / 1024), sha: p.sha256.slice(0, 12) });
      list.appendChild(el("li", { dataset: { sha256: p.sha256 } }, [thumb, el("p", { text: label }), remove]));
    });
    add.hidden = photos.length >= MAX_PHOTOS;
    if (changed) onChange();
  }

  pick.addEventListener("change", async () => {
    const files = Array.from(pick.files || []);
    const before = photos.length;
    pick.value = "";
    for (const file of files) {
      if (photos.length >= MAX_PHOTOS) {
        say("entry.photo_too_many");
        break;
      }
      try {
        const photo = await reencode(file);
        if (!photos.some((p) => p.sha256 === photo.sha256)) photos.push(photo);
        say(null);
      } catch (e) {
        say(e && e.code ? e.code : "entry.photo_not_an_image");
      }
    }
    redraw(photos.length !== before);
  });

  redraw(false);
  return {
    photos: () => photos.slice(),
    problem: () => (photos.length === 0 ? "entry.photo_required" : photos.length > MAX_PHOTOS ? "entry.photo_too_many" : null),
    show: say,
  };
}
