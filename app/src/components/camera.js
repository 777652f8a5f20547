// Camera bridge: getUserMedia -> <video> -> canvas -> grayscale luma -> base64 -> dioxus.send.
// Flow control: one frame in flight; Rust calls window.__cpAck() when it has scanned it, and frames
// are spaced at least MIN_GAP_MS apart, so the scanner is never flooded.
// Liveview work-around: this script never calls dioxus.recv() (it busy-waits and freezes the page
// when Rust answers late); Rust talks back only through small eval calls on window.__cp* functions.
const MIN_GAP_MS = 90;
const MAX_W = 640;
const video = document.getElementById("cp-video");
let inFlight = false;
let lastSent = 0;
let stopped = false;
let track = null;
window.__cpLatencies = window.__cpLatencies || [];
// Frames the app has scanned (read by `cargo xtask bench app`).
window.__cpScanned = window.__cpScanned || 0;
window.__cpAck = () => { inFlight = false; window.__cpScanned++; };
window.__cpStop = () => {
  stopped = true;
  if (track) { track.stop(); }
};
window.__cpTorch = async (on) => {
  if (!track) return;
  try { await track.applyConstraints({ advanced: [{ torch: !!on }] }); } catch (e) { }
};
// A still for a report (a patrol problem's photo): the current video picture as a JPEG data URL,
// or null without a picture. Its own canvas, so the frame pipeline is left as it is.
window.__cpStill = () => {
  if (!track || video.videoWidth === 0) return null;
  const c = document.createElement("canvas");
  c.width = video.videoWidth; c.height = video.videoHeight;
  c.getContext("2d").drawImage(video, 0, 0, c.width, c.height);
  return c.toDataURL("image/jpeg", 0.85);
};
// Safety valve: a lost ack must not stop scanning for good.
setInterval(() => { if (inFlight && performance.now() - lastSent > 1500) inFlight = false; }, 500);
try {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: false,
    video: { facingMode: "environment", width: { ideal: 640 }, height: { ideal: 480 } },
  });
  track = stream.getVideoTracks()[0];
  video.srcObject = stream;
  await video.play();
  const caps = track.getCapabilities ? track.getCapabilities() : {};
  dioxus.send({ kind: "live", torch: !!caps.torch });
} catch (e) {
  dioxus.send({ kind: "error", error: String(e && e.name ? e.name + ": " + e.message : e) });
  return;
}
const canvas = document.createElement("canvas");
const g = canvas.getContext("2d", { willReadFrequently: true });
function b64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}
function tick() {
  if (stopped || !document.body.contains(video)) { if (track) track.stop(); return; }
  const now = performance.now();
  if (!inFlight && now - lastSent >= MIN_GAP_MS && video.videoWidth > 0) {
    const scale = Math.min(1, MAX_W / video.videoWidth);
    const w = Math.round(video.videoWidth * scale), h = Math.round(video.videoHeight * scale);
    canvas.width = w; canvas.height = h;
    g.drawImage(video, 0, 0, w, h);
    const rgba = g.getImageData(0, 0, w, h).data;
    const luma = new Uint8Array(w * h);
    for (let i = 0, j = 0; j < luma.length; i += 4, j++) {
      luma[j] = (rgba[i] * 77 + rgba[i + 1] * 150 + rgba[i + 2] * 29) >> 8;
    }
    inFlight = true;
    lastSent = now;
    dioxus.send({ kind: "frame", w: w, h: h, t: Date.now(), d: b64(luma) });
  }
  setTimeout(tick, 15);
}
tick();
// Latency: from frame capture to the verdict being on screen (read by the end-to-end test).
new MutationObserver(() => {
  const el = document.querySelector("[data-frame-t]");
  if (el && !el.dataset.measured) {
    el.dataset.measured = "1";
    requestAnimationFrame(() => {
      window.__cpLatencies.push(Date.now() - Number(el.dataset.frameT));
    });
  }
}).observe(document.body, { childList: true, subtree: true });
await new Promise(() => {});
