//! Server-rendered SVG charts for the staff dashboard (`/observatoire`): no script, readable
//! without JavaScript, scaling down to a phone. Each chart is one image (`role="img"`) named by
//! its `<title>` and summarised in French by its `<desc>`; the page shows the title as a caption
//! and the data table next to the chart, which stays the exact, accessible form of the figures
//! (RGAA 1.3, WCAG 1.1.1).
//!
//! - Colours are the DSFR's and every text colour reaches 4.5:1 on white; lines also differ by
//!   dash pattern and point markers, so colour is never the only cue (WCAG 1.4.1).
//! - Only presentation attributes, never `style`: the CSP has no `'unsafe-inline'` for styles.
//! - Labels come from data, so every text goes through [`escape`].
//! - Element ids are `ch-<slug of the title>-<hash>`, the hash (FNV-1a, deterministic) covering
//!   the kind of chart, the title and everything drawn. Two charts with the same title but
//!   different data get different ids without a page-wide counter, and the output stays stable
//!   for snapshot tests and caching. The very same chart drawn twice on one page would repeat
//!   its ids: draw it once.
//! - Degenerate input (empty, all zero, one point, nothing published, NaN) still gives a valid
//!   SVG, never a panic; "Aucune donnée" is written when there is nothing to draw.

use std::fmt::Write as _;

use super::svg::{
    Axis, BLUE, CHAR_W, GREY, GRID, MAX_X_LABELS, WIDTH, circle, clean, escape, fit, no_data, num,
    point, rect, rect_attrs, stroke, text, wrap,
};
use crate::french::{change_fr, number_fr, plural, share_fr, value_fr};

/// One line of a time chart.
#[derive(Clone, Copy, Debug)]
pub struct Line<'a> {
    /// Legend text, e.g. "2025" (escaped here, as it may come from data).
    pub label: &'a str,
    /// One value per x label; `None` = not published, drawn as a gap rather than a false zero.
    pub values: &'a [Option<f64>],
    /// How the line is drawn; at most one line per style, or they look alike.
    pub style: LineStyle,
}

/// How a line is drawn, so that lines differ by more than colour (WCAG 1.4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineStyle {
    /// This period: solid blue line, points marked with dots.
    Current,
    /// Last year's same weeks: dashed grey line, for comparison.
    Previous,
}

/// One horizontal bar.
#[derive(Clone, Copy, Debug)]
pub struct Bar<'a> {
    /// Category name (escaped here, as it may come from data).
    pub label: &'a str,
    /// `None` = not published (statistical secret): no bar, "non publié" in its place.
    pub value: Option<u64>,
    /// Change against the previous period, in percent, written as "+35 %" / "−12 %".
    pub change_percent: Option<f64>,
}

/// A weekly time series: x labels (e.g. "S48" or "02/12"), one or two lines; `None` = not
/// published (gap in the line). The week count is the longest of `x_labels` and the lines.
pub fn line_chart(title: &str, x_labels: &[String], lines: &[Line<'_>]) -> String {
    let n = lines
        .iter()
        .map(|l| l.values.len())
        .fold(x_labels.len(), usize::max);
    let series: Vec<Vec<Option<f64>>> = lines
        .iter()
        .map(|l| {
            (0..n)
                .map(|i| clean(l.values.get(i).copied().flatten()))
                .collect()
        })
        .collect();
    let known: Vec<f64> = series.iter().flatten().flatten().copied().collect();
    if known.is_empty() {
        return no_data("line", title);
    }
    let min = known.iter().copied().fold(f64::INFINITY, f64::min);
    let max = known.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let axis = Axis::nice(min, max, known.iter().all(|v| v.fract() == 0.0));
    let ticks = axis.ticks();
    let x_label = |i: usize| fit(x_labels.get(i).map_or("", String::as_str), 12);
    let x_name = |i: usize| match x_labels.get(i).filter(|l| !l.trim().is_empty()) {
        Some(l) => l.clone(),
        None => format!("n°\u{a0}{}", i + 1),
    };

    // Layout: room for the y labels on the left and half an x label on each side.
    let x_label_w = (0..n)
        .map(|i| x_label(i).chars().count())
        .max()
        .unwrap_or(0) as f64
        * CHAR_W;
    let tick_w = ticks
        .iter()
        .map(|(_, t)| t.chars().count())
        .max()
        .unwrap_or(0) as f64
        * CHAR_W;
    let left = (tick_w + 10.0).max(x_label_w / 2.0 + 2.0).max(30.0);
    let right = WIDTH - (x_label_w / 2.0 + 2.0).max(20.0);
    let (top, bottom, height) = (36.0, 272.0, 300.0);
    let x = |i: usize| {
        if n <= 1 {
            (left + right) / 2.0
        } else {
            left + i as f64 * (right - left) / (n - 1) as f64
        }
    };
    let y = |v: f64| bottom - (v - axis.lo) / (axis.hi - axis.lo) * (bottom - top);

    let mut b = String::with_capacity(6000);
    // Grid, one path for all lines.
    b.push_str(r#"<path fill="none" stroke=""#);
    b.push_str(GRID);
    b.push_str(r#"" d=""#);
    for (v, _) in &ticks {
        b.push('M');
        point(&mut b, left, y(*v));
        b.push('H');
        num(&mut b, right);
    }
    b.push_str(r#""/><g text-anchor="end">"#);
    for (v, t) in &ticks {
        text(&mut b, left - 6.0, y(*v) + 4.0, t);
    }
    // Thin x labels: at most MAX_X_LABELS, and never closer than their own width.
    let slot = if n > 1 {
        (right - left) / (n - 1) as f64
    } else {
        WIDTH
    };
    let every = n
        .div_ceil(MAX_X_LABELS)
        .max(((x_label_w + 6.0) / slot).ceil() as usize)
        .max(1);
    b.push_str(r#"</g><g text-anchor="middle">"#);
    for i in (0..n).step_by(every) {
        text(&mut b, x(i), bottom + 18.0, &x_label(i));
    }
    b.push_str("</g>");

    // Legend: a sample of each line's stroke, then its label.
    let mut lx = left;
    for line in lines {
        b.push_str("<path ");
        b.push_str(stroke(line.style));
        b.push_str(r#" d="M"#);
        point(&mut b, lx, 16.0);
        b.push_str(r#"h24"/>"#);
        if line.style == LineStyle::Current {
            circle(&mut b, lx + 12.0, 16.0, Some(BLUE));
        }
        let label = fit(line.label, 40);
        text(&mut b, lx + 30.0, 20.0, &label);
        lx += 46.0 + label.chars().count() as f64 * CHAR_W;
    }

    // Lines, last year's first so this year's is drawn on top.
    let mut order: Vec<(LineStyle, &Vec<Option<f64>>)> =
        lines.iter().map(|l| l.style).zip(&series).collect();
    order.sort_by_key(|(style, _)| *style == LineStyle::Current);
    for (style, s) in order {
        let mut d = String::new();
        let mut marks = Vec::new();
        for (i, v) in s.iter().enumerate() {
            let Some(v) = *v else { continue };
            let joined = i
                .checked_sub(1)
                .and_then(|p| s.get(p))
                .is_some_and(Option::is_some);
            d.push(if joined { 'L' } else { 'M' });
            point(&mut d, x(i), y(v));
            let alone = !joined && s.get(i + 1).copied().flatten().is_none();
            // Current: every point is dotted. Previous: only isolated points, else invisible.
            if style == LineStyle::Current || alone {
                marks.push((x(i), y(v)));
            }
        }
        if d.is_empty() {
            continue;
        }
        let _ = write!(
            b,
            r#"<path {} stroke-linejoin="round" d="{d}"/>"#,
            stroke(style)
        );
        if !marks.is_empty() {
            b.push_str(match style {
                LineStyle::Current => r##"<g fill="#000091">"##,
                LineStyle::Previous => r##"<g fill="#ffffff" stroke="#666666">"##,
            });
            for (cx, cy) in marks {
                circle(&mut b, cx, cy, None);
            }
            b.push_str("</g>");
        }
    }

    let mut desc = format!(
        "Courbe hebdomadaire de {}",
        plural(n, "semaine", "semaines")
    );
    for (line, s) in lines.iter().zip(&series) {
        desc.push_str(" ; ");
        if !line.label.trim().is_empty() {
            desc.push_str(line.label);
            if line.style == LineStyle::Previous {
                desc.push_str(" (en pointillés)");
            }
            desc.push_str("\u{a0}: ");
        }
        let mut top_point: Option<(usize, f64)> = None;
        for (i, v) in s.iter().enumerate() {
            if let Some(v) = *v
                && top_point.is_none_or(|(_, m)| v > m)
            {
                top_point = Some((i, v));
            }
        }
        let Some((i, v)) = top_point else {
            desc.push_str("aucune valeur publiée");
            continue;
        };
        let _ = write!(desc, "maximum {} la semaine {}", value_fr(v), x_name(i));
        if let Some((j, Some(last))) = s.iter().enumerate().rfind(|(_, v)| v.is_some())
            && j != i
        {
            let _ = write!(
                desc,
                ", dernière valeur {} ({})",
                value_fr(*last),
                x_name(j)
            );
        }
        let missing = s.iter().filter(|v| v.is_none()).count();
        if missing > 0 {
            let _ = write!(
                desc,
                ", {}",
                plural(missing, "semaine non publiée", "semaines non publiées")
            );
        }
    }
    wrap("line", title, &desc, height, &b)
}

/// Horizontal bars, drawn in the order given (largest first): label, value, and change against
/// the previous period. A `None` value (statistical secret) draws no bar but "non publié".
pub fn bar_chart(title: &str, bars: &[Bar<'_>]) -> String {
    if bars.is_empty() {
        return no_data("bar", title);
    }
    let max = bars.iter().filter_map(|b| b.value).max().unwrap_or(0);
    let rows: Vec<(String, String)> = bars
        .iter()
        .map(|bar| {
            let value = bar.value.map_or_else(|| "non publié".to_owned(), number_fr);
            let change = bar
                .change_percent
                .filter(|c| c.is_finite())
                .map_or_else(String::new, |c| format!("({})", change_fr(c)));
            (value, change)
        })
        .collect();
    let labels: Vec<String> = bars.iter().map(|b| fit(b.label, 34)).collect();
    let label_w =
        labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64 * CHAR_W + 12.0;
    let value_w = rows
        .iter()
        .map(|(v, c)| (v.chars().count() + c.chars().count() + 1) as f64 * CHAR_W + 10.0)
        .fold(60.0, f64::max);
    let x0 = label_w;
    let bar_max = (WIDTH - x0 - value_w).max(40.0);
    let row_h = 28.0;
    let height = 8.0 + bars.len() as f64 * row_h;

    let mut b = String::with_capacity(200 + bars.len() * 200);
    let _ = write!(b, r#"<path fill="none" stroke="{GRID}" d="M"#);
    point(&mut b, x0, 4.0);
    b.push('V');
    num(&mut b, height - 4.0);
    b.push_str(r#""/><g>"#);
    for (i, label) in labels.iter().enumerate() {
        text(&mut b, 0.0, 4.0 + i as f64 * row_h + 18.0, label);
    }
    let _ = write!(b, r#"</g><g fill="{BLUE}">"#);
    let widths: Vec<f64> = bars
        .iter()
        .map(|bar| match (bar.value, max) {
            (Some(v), m) if m > 0 => v as f64 / m as f64 * bar_max,
            _ => 0.0,
        })
        .collect();
    for (i, w) in widths.iter().enumerate() {
        if *w >= 0.05 {
            rect(&mut b, x0, 4.0 + i as f64 * row_h + 5.0, *w, 18.0);
        }
    }
    b.push_str("</g><g>");
    for (i, (((value, change), bar), w)) in rows.iter().zip(bars).zip(&widths).enumerate() {
        b.push_str("<text x=\"");
        num(&mut b, x0 + w + 6.0);
        b.push_str("\" y=\"");
        num(&mut b, 4.0 + i as f64 * row_h + 18.0);
        b.push('"');
        if bar.value.is_none() {
            b.push_str(r#" font-style="italic""#);
        }
        b.push('>');
        b.push_str(&escape(value));
        if !change.is_empty() {
            // No-break space: never collapsed before the element, never wrapped.
            let _ = write!(b, "\u{a0}<tspan fill=\"{GREY}\">{}</tspan>", escape(change));
        }
        b.push_str("</text>");
    }
    b.push_str("</g>");

    let mut desc = format!(
        "Barres horizontales, {}",
        plural(bars.len(), "catégorie", "catégories")
    );
    match bars.iter().find(|b| b.value == Some(max)) {
        Some(top) => {
            let _ = write!(
                desc,
                " ; la plus élevée\u{a0}: {} ({})",
                top.label,
                number_fr(max)
            );
        }
        None => desc.push_str(" ; aucune valeur publiée"),
    }
    let missing = bars.iter().filter(|b| b.value.is_none()).count();
    if missing > 0 && missing < bars.len() {
        let _ = write!(
            desc,
            " ; {}",
            plural(missing, "valeur non publiée", "valeurs non publiées")
        );
    }
    wrap("bar", title, &desc, height, &b)
}

/// The assistance funnel: stages with counts (e.g. Demandes → Acceptées → Résolues), each bar
/// centred and as wide as its count against the largest stage (the first, in a real funnel),
/// with its share of the first stage ("62 %"). `None` = not published.
pub fn funnel_chart(title: &str, stages: &[(&str, Option<u64>)]) -> String {
    if stages.is_empty() {
        return no_data("funnel", title);
    }
    // Widths against the largest so a stage larger than the first is never drawn clipped.
    let reference = stages.iter().filter_map(|s| s.1).max().unwrap_or(0);
    let first = stages.first().and_then(|s| s.1).filter(|f| *f > 0);
    let row_h = 46.0;
    let height = 4.0 + stages.len() as f64 * row_h;
    let mut b = String::with_capacity(200 + stages.len() * 200);
    let mut desc = format!("Entonnoir en {}", plural(stages.len(), "étape", "étapes"));
    if first.is_some() && stages.len() > 1 {
        desc.push_str(", parts rapportées à la première");
    }
    for (i, (label, value)) in stages.iter().enumerate() {
        let top = 4.0 + i as f64 * row_h;
        let label = fit(label, 60);
        let _ = write!(
            desc,
            "{} {}\u{a0}: ",
            if i == 0 { "\u{a0}:" } else { " ;" },
            label
        );
        b.push_str("<text x=\"0\" y=\"");
        num(&mut b, top + 14.0);
        let _ = write!(b, "\">{}\u{a0}: ", escape(&label));
        let Some(v) = *value else {
            b.push_str(r#"<tspan font-style="italic">non publié</tspan></text>"#);
            desc.push_str("non publié");
            continue;
        };
        let share = match first {
            Some(f) if i > 0 => format!(" ({})", share_fr(v as f64 / f as f64 * 100.0)),
            _ => String::new(),
        };
        let _ = write!(
            b,
            r#"<tspan font-weight="bold">{}</tspan>{share}</text>"#,
            number_fr(v)
        );
        let _ = write!(desc, "{}{share}", number_fr(v));
        if reference > 0 && v > 0 {
            let w = v as f64 / reference as f64 * WIDTH;
            let _ = write!(b, r#"<rect fill="{BLUE}""#);
            b.push_str(&rect_attrs((WIDTH - w) / 2.0, top + 20.0, w, 18.0));
        }
    }
    wrap("funnel", title, &desc, height, &b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::french::decimal_fr;
    use crate::web::observatory::svg::{TEXT, chart_id};

    /// A small well-formedness check: one root, balanced tags, quoted unique attributes, no raw
    /// `<` or `>` in values or text, only known entities.
    fn well_formed(s: &str) -> Result<(), String> {
        fn entities(t: &str) -> Result<(), String> {
            if t.contains('<') || t.contains('>') {
                return Err(format!("raw < or > in {t:?}"));
            }
            let mut rest = t;
            while let Some(p) = rest.find('&') {
                rest = &rest[p + 1..];
                let end = rest.find(';').ok_or("unterminated entity")?;
                let name = &rest[..end];
                let ok = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
                    || name
                        .strip_prefix('#')
                        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
                if !ok {
                    return Err(format!("bad entity &{name};"));
                }
            }
            Ok(())
        }
        let mut stack: Vec<&str> = Vec::new();
        let mut roots = 0;
        let mut i = 0;
        while i < s.len() {
            if s[i..].starts_with('<') {
                let end = i + s[i..].find('>').ok_or("unclosed tag")?;
                let inner = &s[i + 1..end];
                if let Some(name) = inner.strip_prefix('/') {
                    let open = stack.pop().ok_or(format!("stray </{name}>"))?;
                    if open != name {
                        return Err(format!("<{open}> closed by </{name}>"));
                    }
                } else {
                    let closed = inner.ends_with('/');
                    let inner = inner.strip_suffix('/').unwrap_or(inner);
                    let (name, mut rest) = inner.split_once(' ').unwrap_or((inner, ""));
                    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric()) {
                        return Err(format!("bad element name {name:?}"));
                    }
                    if stack.is_empty() {
                        roots += 1;
                    }
                    let mut seen = Vec::new();
                    loop {
                        rest = rest.trim_start();
                        if rest.is_empty() {
                            break;
                        }
                        let eq = rest
                            .find('=')
                            .ok_or(format!("attribute without value in <{name}>"))?;
                        let attr = &rest[..eq];
                        if attr.is_empty()
                            || !attr
                                .bytes()
                                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b':')
                        {
                            return Err(format!("bad attribute name {attr:?}"));
                        }
                        if seen.contains(&attr) {
                            return Err(format!("duplicate attribute {attr}"));
                        }
                        seen.push(attr);
                        let after = rest[eq + 1..]
                            .strip_prefix('"')
                            .ok_or(format!("unquoted {attr}"))?;
                        let close = after.find('"').ok_or("unterminated value")?;
                        entities(&after[..close])?;
                        rest = &after[close + 1..];
                        if !(rest.is_empty() || rest.starts_with(' ')) {
                            return Err(format!("no space after {attr}"));
                        }
                    }
                    if !closed {
                        stack.push(name);
                    }
                }
                i = end + 1;
            } else {
                let next = s[i..].find('<').map_or(s.len(), |p| p + i);
                let t = &s[i..next];
                if stack.is_empty() && !t.trim().is_empty() {
                    return Err(format!("text outside the root: {t:?}"));
                }
                entities(t)?;
                i = next;
            }
        }
        if !stack.is_empty() {
            return Err(format!("unclosed {stack:?}"));
        }
        if roots != 1 {
            return Err(format!("{roots} roots"));
        }
        Ok(())
    }

    fn attr<'a>(svg: &'a str, name: &str) -> &'a str {
        let key = format!(" {name}=\"");
        let start = svg.find(&key).map_or(0, |p| p + key.len());
        let len = svg[start..].find('"').unwrap_or(0);
        &svg[start..start + len]
    }

    /// Everything a chart must be, whatever its input.
    fn assert_valid(svg: &str) {
        well_formed(svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#" role="img""#));
        let root = &svg[..svg.find('>').unwrap_or(0)];
        assert!(
            root.contains(r#" width="100%""#) && !root.contains(" height="),
            "{root}"
        );
        assert!(!svg.contains(" style="), "the CSP forbids style attributes");
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        let ids = attr(svg, "aria-labelledby");
        let mut refs = ids.split(' ');
        let title_id = refs.next().unwrap_or_default();
        assert!(
            svg.contains(&format!(r#"<title id="{title_id}">"#)),
            "{svg}"
        );
        for id in refs {
            assert!(svg.contains(&format!(r#" id="{id}""#)));
        }
        assert!(attr(svg, "viewBox").starts_with("0 0 640 "));
    }

    fn weeks(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| format!("S{:02}", (i + 47) % 52 + 1))
            .collect()
    }

    fn year(n: usize, seed: f64) -> Vec<Option<f64>> {
        (0..n)
            .map(|i| Some((seed + 900.0 * ((i as f64) / 5.0).sin().abs()).round()))
            .collect()
    }

    /// The `d` of the path drawn with the given stroke (lines, not the legend sample).
    fn line_path(svg: &str, style: LineStyle) -> &str {
        let key = format!(r#"<path {} stroke-linejoin="round" d=""#, stroke(style));
        let start = svg.find(&key).map_or(0, |p| p + key.len());
        let len = svg[start..].find('"').unwrap_or(0);
        &svg[start..start + len]
    }

    #[test]
    fn escape_neutralises_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert("x") & 'y'</script>"#),
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;"
        );
        assert_eq!(escape("Hameçonnage"), "Hameçonnage");
        assert_eq!(escape("a\u{0}b\u{1b}c\td"), "a b c\td");
    }

    #[test]
    fn number_fr_groups_thousands_with_narrow_nbsp() {
        assert_eq!(number_fr(0), "0");
        assert_eq!(number_fr(999), "999");
        assert_eq!(number_fr(1234), "1\u{202F}234");
        assert_eq!(number_fr(1_234_567), "1\u{202F}234\u{202F}567");
        assert_eq!(
            number_fr(u64::MAX),
            "18\u{202F}446\u{202F}744\u{202F}073\u{202F}709\u{202F}551\u{202F}615"
        );
        assert_eq!(decimal_fr(-1234.5, 1), "\u{2212}1\u{202F}234,5");
        assert_eq!(decimal_fr(-0.01, 1), "0,0");
        assert_eq!(value_fr(12.0), "12");
        assert_eq!(value_fr(12.34), "12,3");
    }

    #[test]
    fn change_and_share_in_french() {
        assert_eq!(change_fr(35.0), "+35\u{202F}%");
        assert_eq!(change_fr(-12.0), "\u{2212}12\u{202F}%");
        assert_eq!(change_fr(3.46), "+3,5\u{202F}%");
        assert_eq!(change_fr(-0.01), "0\u{202F}%");
        assert_eq!(change_fr(f64::NAN), "");
        assert_eq!(share_fr(62.0), "62\u{202F}%");
        assert_eq!(share_fr(0.4), "0,4\u{202F}%");
        assert_eq!(share_fr(0.01), "<\u{202F}0,1\u{202F}%");
    }

    #[test]
    fn axis_has_3_to_5_round_ticks_from_zero() {
        for max in [
            0.0, 0.3, 1.0, 3.0, 7.0, 9.5, 10.0, 11.0, 99.0, 1234.0, 5000.0, 87_654.0, 1e12,
        ] {
            for integral in [true, false] {
                let axis = Axis::nice(0.0, max, integral);
                let ticks = axis.ticks();
                assert!((3..=5).contains(&ticks.len()), "{max}: {axis:?}");
                assert_eq!(ticks[0].0, 0.0);
                assert!(axis.hi >= max);
                let mantissa = axis.step / 10f64.powf(axis.step.log10().floor());
                assert!(
                    [1.0, 2.0, 5.0].iter().any(|m| (m - mantissa).abs() < 1e-9),
                    "{axis:?}"
                );
                if integral {
                    assert!(axis.step >= 1.0);
                }
            }
        }
        assert_eq!(
            Axis::nice(0.0, 1234.0, true)
                .ticks()
                .last()
                .map(|t| t.1.clone()),
            Some("1\u{202F}500".into())
        );
        let negative = Axis::nice(-30.0, 70.0, true);
        assert!(negative.lo <= -30.0 && negative.hi >= 70.0);
    }

    #[test]
    fn line_chart_52_weeks_two_lines() {
        let labels = weeks(52);
        let (now, before) = (year(52, 100.0), year(52, 60.0));
        let svg = line_chart(
            "Demandes d'assistance par semaine",
            &labels,
            &[
                Line {
                    label: "2025",
                    values: &now,
                    style: LineStyle::Current,
                },
                Line {
                    label: "2024",
                    values: &before,
                    style: LineStyle::Previous,
                },
            ],
        );
        assert_valid(&svg);
        println!("52 weeks × 2 lines: {} bytes", svg.len());
        assert!(svg.len() < 8 * 1024, "{} bytes", svg.len());
        assert!(
            svg.contains("<desc id=")
                && svg.contains("Courbe hebdomadaire de 52 semaines ; 2025\u{a0}: maximum ")
        );
        // Dashed and grey for last year, dotted points for this year.
        assert!(!line_path(&svg, LineStyle::Previous).is_empty());
        assert!(svg.contains(r##"stroke="#666666" stroke-width="2" stroke-dasharray="6 4" stroke-linejoin="round" d="M"##));
        assert_eq!(svg.matches("<circle").count(), 52 + 1);
        // Every 4th week labelled: 13 labels.
        let x_axis = svg
            .split(r#"<g text-anchor="middle">"#)
            .nth(1)
            .unwrap_or_default();
        let x_axis = &x_axis[..x_axis.find("</g>").unwrap_or(0)];
        assert_eq!(x_axis.matches("<text").count(), 13);
        assert!(x_axis.contains(">S48<") && x_axis.contains(">S52<") && !x_axis.contains(">S49<"));
        // 3 to 5 y ticks.
        let y_axis = svg
            .split(r#"<g text-anchor="end">"#)
            .nth(1)
            .unwrap_or_default();
        let y_axis = &y_axis[..y_axis.find("</g>").unwrap_or(0)];
        assert!((3..=5).contains(&y_axis.matches("<text").count()));
    }

    #[test]
    fn desc_summarises_in_french() {
        let labels = weeks(52);
        let mut values = vec![Some(10.0); 52];
        values[7] = Some(1234.0);
        let svg = line_chart(
            "Demandes",
            &labels,
            &[Line {
                label: "",
                values: &values,
                style: LineStyle::Current,
            }],
        );
        assert_valid(&svg);
        assert!(svg.contains("Courbe hebdomadaire de 52 semaines ; maximum 1\u{202F}234 la semaine S03, dernière valeur 10 (S47)</desc>"), "{svg}");
    }

    #[test]
    fn gaps_break_the_line() {
        let values = [
            Some(1.0),
            Some(2.0),
            None,
            Some(3.0),
            Some(4.0),
            None,
            Some(5.0),
        ];
        let svg = line_chart(
            "Trous",
            &weeks(7),
            &[Line {
                label: "2025",
                values: &values,
                style: LineStyle::Current,
            }],
        );
        assert_valid(&svg);
        let d = line_path(&svg, LineStyle::Current);
        assert_eq!(d.matches('M').count(), 3, "{d}");
        assert_eq!(d.matches('L').count(), 2, "{d}");
        assert!(svg.contains("2 semaines non publiées"));
        // An isolated point of last year's line still shows, as a hollow dot.
        let svg = line_chart(
            "Trous",
            &weeks(7),
            &[Line {
                label: "2024",
                values: &values,
                style: LineStyle::Previous,
            }],
        );
        assert!(svg.contains(r##"<g fill="#ffffff" stroke="#666666"><circle"##));
    }

    #[test]
    fn ids_are_unique_per_chart_and_safe() {
        let a = [Some(1.0), Some(2.0)];
        let b = [Some(1.0), Some(3.0)];
        let one = line_chart(
            "Évolution <script>",
            &weeks(2),
            &[Line {
                label: "x",
                values: &a,
                style: LineStyle::Current,
            }],
        );
        let two = line_chart(
            "Évolution <script>",
            &weeks(2),
            &[Line {
                label: "x",
                values: &b,
                style: LineStyle::Current,
            }],
        );
        let (id1, id2) = (attr(&one, "aria-labelledby"), attr(&two, "aria-labelledby"));
        assert_ne!(id1, id2);
        assert!(id1.starts_with("ch-evolution-script-"), "{id1}");
        assert!(
            id1.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b' ')
        );
        // Same title and counts, other kind of chart: other ids.
        let bars = bar_chart(
            "Parcours",
            &[Bar {
                label: "Demandes",
                value: Some(5),
                change_percent: None,
            }],
        );
        let funnel = funnel_chart("Parcours", &[("Demandes", Some(5))]);
        assert_ne!(
            attr(&bars, "aria-labelledby"),
            attr(&funnel, "aria-labelledby")
        );
        // Deterministic: same input, same output.
        assert_eq!(
            one,
            line_chart(
                "Évolution <script>",
                &weeks(2),
                &[Line {
                    label: "x",
                    values: &a,
                    style: LineStyle::Current
                }]
            )
        );
        assert!(chart_id("!!!", 1).starts_with("ch-0000"));
    }

    #[test]
    fn labels_from_data_are_escaped() {
        let label = r#"<script>alert("x")</script> & 'co'"#;
        let values = [Some(1.0)];
        let labels = vec![label.to_owned()];
        let svgs = [
            line_chart(
                label,
                &labels,
                &[Line {
                    label,
                    values: &values,
                    style: LineStyle::Current,
                }],
            ),
            bar_chart(
                label,
                &[Bar {
                    label,
                    value: Some(1),
                    change_percent: Some(1.0),
                }],
            ),
            funnel_chart(label, &[(label, Some(3)), (label, Some(1))]),
        ];
        for svg in &svgs {
            assert_valid(svg);
            assert!(!svg.contains("<script") && !svg.contains("\"x\""), "{svg}");
        }
    }

    #[test]
    fn nothing_to_draw_says_aucune_donnee() {
        let none = [None, None, None];
        let svgs = [
            line_chart("Vide", &[], &[]),
            line_chart("Vide", &weeks(3), &[]),
            line_chart(
                "Vide",
                &weeks(3),
                &[Line {
                    label: "2025",
                    values: &none,
                    style: LineStyle::Current,
                }],
            ),
            line_chart(
                "",
                &[],
                &[Line {
                    label: "2025",
                    values: &[Some(f64::NAN), Some(f64::INFINITY)],
                    style: LineStyle::Current,
                }],
            ),
            bar_chart("Vide", &[]),
            funnel_chart("Vide", &[]),
        ];
        for svg in &svgs {
            assert_valid(svg);
            assert!(svg.contains(">Aucune donnée</text>"), "{svg}");
        }
        assert!(svgs[3].contains(">Graphique</title>"));
    }

    #[test]
    fn degenerate_inputs_stay_finite() {
        let zeros = [Some(0.0); 52];
        let one = [Some(42.0)];
        let odd = [
            Some(-5.0),
            Some(f64::NAN),
            Some(1e300),
            Some(f64::NEG_INFINITY),
            Some(0.25),
        ];
        let tiny = [Some(1e-300), Some(2e-300)];
        let svgs = [
            line_chart(
                "Zéros",
                &weeks(52),
                &[Line {
                    label: "2025",
                    values: &zeros,
                    style: LineStyle::Current,
                }],
            ),
            line_chart(
                "Un point",
                &weeks(1),
                &[Line {
                    label: "2025",
                    values: &one,
                    style: LineStyle::Current,
                }],
            ),
            line_chart(
                "Un point",
                &[],
                &[Line {
                    label: "2025",
                    values: &one,
                    style: LineStyle::Previous,
                }],
            ),
            line_chart(
                "Bizarre",
                &weeks(2),
                &[Line {
                    label: "2025",
                    values: &odd,
                    style: LineStyle::Current,
                }],
            ),
            line_chart(
                "Minuscule",
                &weeks(2),
                &[Line {
                    label: "2025",
                    values: &tiny,
                    style: LineStyle::Current,
                }],
            ),
            bar_chart(
                "Zéros",
                &[Bar {
                    label: "a",
                    value: Some(0),
                    change_percent: Some(f64::NAN),
                }],
            ),
            bar_chart(
                "Secret",
                &[Bar {
                    label: "a",
                    value: None,
                    change_percent: None,
                }],
            ),
            bar_chart(
                "Énorme",
                &[Bar {
                    label: "a",
                    value: Some(u64::MAX),
                    change_percent: Some(f64::INFINITY),
                }],
            ),
            funnel_chart("Zéros", &[("Demandes", Some(0)), ("Acceptées", Some(0))]),
            funnel_chart("Secret", &[("Demandes", None), ("Acceptées", Some(3))]),
        ];
        for svg in &svgs {
            assert_valid(svg);
        }
        assert!(svgs[0].contains(">0</text>"));
        assert_eq!(svgs[1].matches("<circle").count(), 2);
        assert!(svgs[6].contains("aucune valeur publiée") && svgs[6].contains("non publié"));
    }

    #[test]
    fn bar_chart_secret_and_change() {
        let svg = bar_chart(
            "Types d'incident",
            &[
                Bar {
                    label: "Hameçonnage",
                    value: Some(1234),
                    change_percent: Some(35.0),
                },
                Bar {
                    label: "Rançongiciel",
                    value: Some(456),
                    change_percent: Some(-12.0),
                },
                Bar {
                    label: "Fraude au président",
                    value: None,
                    change_percent: None,
                },
            ],
        );
        assert_valid(&svg);
        assert!(
            svg.contains("1\u{202F}234\u{a0}<tspan fill=\"#666666\">(+35\u{202F}%)</tspan>"),
            "{svg}"
        );
        assert!(svg.contains("(\u{2212}12\u{202F}%)"));
        assert!(svg.contains(r#" font-style="italic">non publié</text>"#));
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(
            svg.contains("la plus élevée\u{a0}: Hameçonnage (1\u{202F}234) ; 1 valeur non publiée")
        );
    }

    #[test]
    fn funnel_widths_and_shares() {
        let svg = funnel_chart(
            "Parcours",
            &[
                ("Demandes", Some(1000)),
                ("Acceptées", Some(620)),
                ("Résolues", Some(410)),
            ],
        );
        assert_valid(&svg);
        assert!(svg.contains("(62\u{202F}%)") && svg.contains("(41\u{202F}%)"));
        assert!(svg.contains(r#"x="0" y="24" width="640""#), "{svg}");
        assert!(svg.contains(r#"width="396.8""#)); // 62 % of 640
        assert!(svg.contains("Entonnoir en 3 étapes, parts rapportées à la première\u{a0}: Demandes\u{a0}: 1\u{202F}000 ; Acceptées\u{a0}: 620 (62\u{202F}%)"), "{svg}");
    }

    #[test]
    fn text_colours_meet_contrast() {
        fn luminance(hex: &str) -> f64 {
            let channel = |i: usize| {
                let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0)) / 255.0;
                if c <= 0.03928 {
                    c / 12.92
                } else {
                    ((c + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
        }
        for colour in [TEXT, GREY, BLUE] {
            assert!(1.05 / (luminance(colour) + 0.05) >= 4.5, "{colour}");
        }
    }
}
