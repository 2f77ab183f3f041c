//! The SVG the charts are drawn with: colours and sizes, escaping, the y axis, the small
//! element writers, and the accessible `<svg>` wrapper with its stable id.

use std::fmt::Write as _;

use super::charts::LineStyle;
use crate::french::decimal_fr;

/// Bleu France: the DSFR's main colour, for current data.
pub(super) const BLUE: &str = "#000091";
/// Grey for last year's line and secondary text (5.7:1 on white).
pub(super) const GREY: &str = "#666666";
/// Grid and axes: decoration only, so no contrast requirement.
pub(super) const GRID: &str = "#dddddd";
/// DSFR body text colour.
pub(super) const TEXT: &str = "#161616";
/// viewBox width; the SVG itself is `width="100%"` and scales.
pub(super) const WIDTH: f64 = 640.0;
/// Average glyph width at 12px, to lay out text without measuring it.
pub(super) const CHAR_W: f64 = 7.0;
/// At most this many x labels are written, so they never overlap.
pub(super) const MAX_X_LABELS: usize = 13;
/// Beyond any weekly count; clamping keeps the scale arithmetic finite.
pub(super) const CLAMP: f64 = 1e12;

/// XML-escapes a text or attribute value, since labels come from data. Characters XML 1.0
/// forbids (C0 controls but tab and newlines, U+FFFE, U+FFFF) become spaces.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A value worth drawing: finite, and clamped so the scale stays finite.
pub(super) fn clean(v: Option<f64>) -> Option<f64> {
    v.filter(|v| v.is_finite()).map(|v| v.clamp(-CLAMP, CLAMP))
}

/// Shortens a label to `max` characters (not bytes) with "…"; the data table has it in full.
pub(super) fn fit(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// The y scale: from 0 (or below, for negative data) with a round step of 1, 2 or 5 × 10^k,
/// giving 3 to 5 ticks a reader can interpolate between.
#[derive(Debug)]
pub(super) struct Axis {
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) step: f64,
    pub(super) decimals: usize,
}

impl Axis {
    /// `integral`: counts, so no fractional step (no "0,5 demande").
    pub(super) fn nice(min: f64, max: f64, integral: bool) -> Axis {
        let (lo, hi) = (min.min(0.0), max.max(0.0));
        let span = if hi - lo > 1e-9 { hi - lo } else { 1.0 };
        let mut k = span.log10().floor() as i32 - 1;
        loop {
            for m in [1.0, 2.0, 5.0] {
                let step = m * 10f64.powi(k);
                if integral && step < 1.0 {
                    continue;
                }
                let (below, above) = ((lo / step).floor(), (hi / step).ceil());
                let intervals = above - below;
                if intervals <= 4.0 {
                    // At least 3 ticks, even for flat data.
                    let above = if intervals < 2.0 { below + 2.0 } else { above };
                    return Axis {
                        lo: below * step,
                        hi: above * step,
                        step,
                        decimals: usize::try_from(-k).unwrap_or(0),
                    };
                }
            }
            k += 1;
        }
    }

    /// Tick values with their French labels, bottom to top.
    pub(super) fn ticks(&self) -> Vec<(f64, String)> {
        let count = ((self.hi - self.lo) / self.step).round() as usize;
        let first = (self.lo / self.step).round();
        (0..=count)
            .map(|t| {
                let v = (first + t as f64) * self.step;
                (v, decimal_fr(v, self.decimals))
            })
            .collect()
    }
}

/// A coordinate rounded to one decimal, without a trailing ".0", to keep the SVG compact.
pub(super) fn num(out: &mut String, v: f64) {
    let r = (v * 10.0).round() / 10.0;
    if !r.is_finite() {
        out.push('0');
    } else if r.fract() == 0.0 {
        let _ = write!(out, "{}", r as i64);
    } else {
        let _ = write!(out, "{r:.1}");
    }
}

pub(super) fn point(out: &mut String, x: f64, y: f64) {
    num(out, x);
    out.push(' ');
    num(out, y);
}

pub(super) fn text(out: &mut String, x: f64, y: f64, s: &str) {
    out.push_str("<text x=\"");
    num(out, x);
    out.push_str("\" y=\"");
    num(out, y);
    out.push_str("\">");
    out.push_str(&escape(s));
    out.push_str("</text>");
}

pub(super) fn circle(out: &mut String, cx: f64, cy: f64, fill: Option<&str>) {
    out.push_str("<circle cx=\"");
    num(out, cx);
    out.push_str("\" cy=\"");
    num(out, cy);
    out.push_str("\" r=\"3\"");
    if let Some(fill) = fill {
        let _ = write!(out, " fill=\"{fill}\"");
    }
    out.push_str("/>");
}

pub(super) fn rect(out: &mut String, x: f64, y: f64, w: f64, h: f64) {
    out.push_str("<rect");
    out.push_str(&rect_attrs(x, y, w, h));
}

/// ` x=".." y=".." width=".." height=".."/>`, closing the element.
pub(super) fn rect_attrs(x: f64, y: f64, w: f64, h: f64) -> String {
    let mut out = String::with_capacity(48);
    for (name, v) in [("x", x), ("y", y), ("width", w), ("height", h)] {
        let _ = write!(out, " {name}=\"");
        num(&mut out, v);
        out.push('"');
    }
    out.push_str("/>");
    out
}

pub(super) fn stroke(style: LineStyle) -> &'static str {
    match style {
        LineStyle::Current => r##"fill="none" stroke="#000091" stroke-width="2""##,
        LineStyle::Previous => {
            r##"fill="none" stroke="#666666" stroke-width="2" stroke-dasharray="6 4""##
        }
    }
}

/// A chart with nothing to draw still says so, to sighted and screen-reader users alike.
pub(super) fn no_data(kind: &str, title: &str) -> String {
    let body = r#"<text x="320" y="36" text-anchor="middle">Aucune donnée</text>"#;
    wrap(kind, title, "Aucune donnée à représenter.", 60.0, body)
}

/// The `<svg>` element around a chart body: accessible name and description, scaling viewBox.
pub(super) fn wrap(kind: &str, title: &str, desc: &str, height: f64, body: &str) -> String {
    // An image without a name fails RGAA 1.1: fall back to a generic one.
    let title = if title.trim().is_empty() {
        "Graphique"
    } else {
        title
    };
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    for part in [kind, title, desc, body] {
        for byte in part.bytes().chain([0xff]) {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    let id = chart_id(title, hash);
    let mut out = String::with_capacity(body.len() + desc.len() + 400);
    out.push_str(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 "#);
    num(&mut out, height);
    let _ = write!(
        out,
        r#"" width="100%" preserveAspectRatio="xMidYMid meet" role="img" aria-labelledby="{id}-t {id}-d" font-size="12" fill="{TEXT}"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>{body}</svg>"#,
        escape(title),
        escape(desc),
    );
    out
}

/// `ch-<slug>-<8 hex>`: readable in the page source, valid as an id whatever the title.
pub(super) fn chart_id(title: &str, hash: u64) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            c if c.is_ascii_alphanumeric() => c,
            _ => '-',
        };
        if c != '-' || !(slug.is_empty() || slug.ends_with('-')) {
            slug.push(c);
        }
        if slug.len() >= 24 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let short = (hash ^ (hash >> 32)) as u32;
    if slug.is_empty() {
        format!("ch-{short:08x}")
    } else {
        format!("ch-{slug}-{short:08x}")
    }
}
