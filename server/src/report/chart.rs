//! Today's in/out per checkpoint per hour as an inline SVG bar chart (no JavaScript).

use std::fmt::Write;

use super::HourlyCounts;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One row of 24 hour slots per checkpoint, its name above it; in bars point up (green), out bars
/// down (blue). The SVG scales to the page's width: on a phone (about 360 px wide, under half its
/// drawn width) the hour labels (every third hour) and names stay readable, with no sideways scroll.
pub fn hourly_svg(hourly: &[HourlyCounts]) -> String {
    let (row_h, slot_w, left) = (110.0_f64, 34.0_f64, 8.0_f64);
    let width = left + 24.0 * slot_w + 10.0;
    let height = 30.0 + row_h * hourly.len().max(1) as f64;
    let max = hourly
        .iter()
        .flat_map(|h| h.hours.iter().map(|(i, o)| (*i).max(*o)))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" aria-label="hourly in/out" class="chart">"#
    );
    for h in (0..24).step_by(3) {
        let x = left + f64::from(h) * slot_w + slot_w / 2.0;
        let _ = write!(
            svg,
            r##"<text x="{x}" y="22" font-size="24" text-anchor="middle" fill="#555">{h}</text>"##
        );
    }
    for (row, cp) in hourly.iter().enumerate() {
        let top = 30.0 + row_h * row as f64;
        let mid = top + 28.0 + (row_h - 28.0) / 2.0;
        let _ = write!(
            svg,
            r##"<text x="{left}" y="{}" font-size="24" fill="#222">{}</text><line x1="{left}" y1="{mid}" x2="{}" y2="{mid}" stroke="#bbb"/>"##,
            top + 24.0,
            escape(&cp.checkpoint_name),
            width - 10.0
        );
        for (h, (i, o)) in cp.hours.iter().enumerate() {
            let x = left + h as f64 * slot_w + 4.0;
            let half = (row_h - 28.0) / 2.0 - 4.0;
            let up = (*i as f64 / max) * half;
            let down = (*o as f64 / max) * half;
            if *i > 0 {
                let _ = write!(
                    svg,
                    r##"<rect x="{x}" y="{}" width="12" height="{up}" fill="#2e7d32"><title>{h}:00 in {i}</title></rect>"##,
                    mid - up
                );
            }
            if *o > 0 {
                let _ = write!(
                    svg,
                    r##"<rect x="{}" y="{mid}" width="12" height="{down}" fill="#1565c0"><title>{h}:00 out {o}</title></rect>"##,
                    x + 13.0
                );
            }
        }
    }
    svg.push_str("</svg>");
    svg
}
