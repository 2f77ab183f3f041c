//! The fiches as PDF, to print or to pass on: each fiche, and the awareness kit (the prevention
//! fiches and mémos in one file). A4, the standard fonts Helvetica and Helvetica-Bold (every
//! PDF reader has them: no font file is embedded), text laid out here line by line. Links are
//! written out (a number, an address), since paper cannot be tapped.

mod metrics;

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use crate::domain::content::{Contact, Fiche, Library};

const WIDTH: f32 = 595.28;
const HEIGHT: f32 = 841.89;
const MARGIN: f32 = 56.0;
const FOOTER: f32 = 30.0;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Font {
    Regular,
    Bold,
}

impl Font {
    fn name(self) -> Name<'static> {
        match self {
            Self::Regular => Name(b"F1"),
            Self::Bold => Name(b"F2"),
        }
    }

    fn widths(self) -> &'static [u16; 256] {
        match self {
            Self::Regular => &metrics::HELVETICA,
            Self::Bold => &metrics::HELVETICA_BOLD,
        }
    }
}

/// A character in WinAnsiEncoding (what the standard fonts read); one it lacks becomes `?`.
fn win_ansi(c: char) -> u8 {
    const HIGH: [(char, u8); 27] = [
        ('€', 0x80),
        ('‚', 0x82),
        ('ƒ', 0x83),
        ('„', 0x84),
        ('…', 0x85),
        ('†', 0x86),
        ('‡', 0x87),
        ('ˆ', 0x88),
        ('‰', 0x89),
        ('Š', 0x8A),
        ('‹', 0x8B),
        ('Œ', 0x8C),
        ('Ž', 0x8E),
        ('‘', 0x91),
        ('’', 0x92),
        ('“', 0x93),
        ('”', 0x94),
        ('•', 0x95),
        ('–', 0x96),
        ('—', 0x97),
        ('˜', 0x98),
        ('™', 0x99),
        ('š', 0x9A),
        ('›', 0x9B),
        ('œ', 0x9C),
        ('ž', 0x9E),
        ('Ÿ', 0x9F),
    ];
    match c as u32 {
        0x20..=0x7E | 0xA0..=0xFF => c as u32 as u8,
        // Thin and narrow no-break spaces (French typography) print as a no-break space.
        0x2009 | 0x202F => 0xA0,
        // An arrow (« site → page ») reads as a breadcrumb's angle quote.
        0x2192 => 0x9B,
        _ => HIGH
            .iter()
            .find(|(h, _)| *h == c)
            .map_or(b'?', |(_, code)| *code),
    }
}

fn encode(text: &str) -> Vec<u8> {
    text.chars().map(win_ansi).collect()
}

fn text_width(text: &str, font: Font, size: f32) -> f32 {
    let widths = font.widths();
    text.chars()
        .map(|c| f32::from(widths[usize::from(win_ansi(c))]))
        .sum::<f32>()
        * size
        / 1000.0
}

/// Pages being written: the text goes down each page and a new page starts when it is full.
struct Layout {
    pages: Vec<Content>,
    current: Content,
    y: f32,
    /// Written at the foot of every page, with its number.
    footer: String,
}

impl Layout {
    fn new(footer: String) -> Self {
        Self {
            pages: Vec::new(),
            current: Content::new(),
            y: HEIGHT - MARGIN,
            footer,
        }
    }

    fn close_page(&mut self) {
        let number = self.pages.len() + 1;
        let footer = format!("{} · page {number}", self.footer);
        let page = std::mem::replace(&mut self.current, Content::new());
        self.pages.push(page);
        let page = self.pages.last_mut();
        if let Some(page) = page {
            write_at(page, &footer, Font::Regular, 8.0, MARGIN, FOOTER);
        }
        self.y = HEIGHT - MARGIN;
    }

    fn new_page(&mut self) {
        self.close_page();
    }

    /// Room for `height` more on this page, or a new page.
    fn room(&mut self, height: f32) {
        if self.y - height < MARGIN + FOOTER {
            self.new_page();
        }
    }

    fn space(&mut self, height: f32) {
        self.y -= height;
    }

    /// `text` wrapped to the width left after `indent`, the first line after `marker` (a list's
    /// number or bullet, hanging in the indent).
    fn paragraph(&mut self, text: &str, font: Font, size: f32, indent: f32, marker: Option<&str>) {
        let leading = size * 1.35;
        let width = WIDTH - 2.0 * MARGIN - indent;
        let mut lines: Vec<String> = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if !line.is_empty() && text_width(&candidate, font, size) > width {
                lines.push(std::mem::replace(&mut line, word.to_owned()));
            } else {
                line = candidate;
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        for (i, line) in lines.iter().enumerate() {
            self.room(leading);
            self.y -= leading;
            if i == 0
                && let Some(marker) = marker
            {
                write_at(
                    &mut self.current,
                    marker,
                    font,
                    size,
                    MARGIN + indent - 14.0,
                    self.y,
                );
            }
            write_at(&mut self.current, line, font, size, MARGIN + indent, self.y);
        }
    }

    fn heading(&mut self, text: &str, size: f32) {
        // A heading is not left alone at the foot of a page.
        self.room(size * 4.0);
        self.space(size * 0.6);
        self.paragraph(text, Font::Bold, size, 0.0, None);
        self.space(size * 0.2);
    }

    fn finish(mut self) -> Vec<Content> {
        self.close_page();
        self.pages
    }
}

fn write_at(content: &mut Content, text: &str, font: Font, size: f32, x: f32, y: f32) {
    content.begin_text();
    content.set_font(font.name(), size);
    content.next_line(x, y);
    content.show(Str(&encode(text)));
    content.end_text();
}

/// How a contact reads on paper: what it is for, then how to reach it.
fn contact_line(contact: &Contact) -> String {
    let reach = match contact.href.as_deref() {
        Some(href) if href.starts_with("https://") && !contact.display.contains(href) => {
            format!("{} ({href})", contact.display)
        }
        _ => contact.display.clone(),
    };
    format!(
        "{} : {}. {} ; {} ; {}.",
        contact.name, contact.what, reach, contact.hours, contact.cost
    )
}

/// One fiche laid out on `layout`.
fn lay_out(layout: &mut Layout, fiche: &Fiche, library: &Library) {
    let meta = &fiche.meta;
    layout.paragraph(meta.kind.label(), Font::Bold, 10.0, 0.0, None);
    layout.space(4.0);
    layout.paragraph(&meta.title, Font::Bold, 20.0, 0.0, None);
    layout.space(6.0);
    layout.paragraph(&meta.summary, Font::Regular, 12.0, 0.0, None);
    let audiences: Vec<&str> = meta.audiences.iter().map(|a| a.label()).collect();
    layout.paragraph(
        &format!("Pour : {}", audiences.join(", ")),
        Font::Regular,
        9.0,
        0.0,
        None,
    );
    for section in &fiche.sections {
        if !section.heading.is_empty() {
            layout.heading(&section.heading, 13.0);
        }
        for paragraph in &section.paragraphs {
            layout.paragraph(paragraph, Font::Regular, 10.5, 0.0, None);
            layout.space(4.0);
        }
        for (i, item) in section.items.iter().enumerate() {
            let marker = if section.ordered {
                format!("{}.", i + 1)
            } else {
                "•".to_owned()
            };
            layout.paragraph(item, Font::Regular, 10.5, 16.0, Some(&marker));
            layout.space(2.0);
        }
        if section.heading == crate::domain::content::fiche::MAINTENANT {
            let contacts: Vec<&Contact> = library.contacts_of(fiche, None).collect();
            if !contacts.is_empty() {
                layout.heading("Qui contacter", 13.0);
                for contact in contacts {
                    layout.paragraph(&contact_line(contact), Font::Regular, 10.0, 16.0, Some("•"));
                    layout.space(2.0);
                }
            }
        }
    }
    layout.space(10.0);
    let mut credits = format!(
        "Relue le {}. Publiée sous {}.",
        crate::french::day_fr(meta.reviewed_on),
        meta.licence
    );
    if let Some(attribution) = &meta.attribution {
        credits = format!("{attribution}. {credits}");
    }
    layout.paragraph(&credits, Font::Regular, 8.5, 0.0, None);
    for source in &meta.sources {
        layout.paragraph(
            &format!("Source : {} – {}", source.title, source.url),
            Font::Regular,
            8.0,
            0.0,
            None,
        );
    }
}

/// The PDF of pages laid out, titled `title`.
fn document(title: &str, pages: Vec<Content>) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let first = 6;
    let page_ids: Vec<Ref> = (0..pages.len())
        .map(|i| Ref::new(first + 2 * i as i32))
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(pages.len() as i32);
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info)
        .title(TextStr(title))
        .producer(TextStr("cyberdir"));
    for (content, id) in pages.into_iter().zip(&page_ids) {
        let stream = Ref::new(id.get() + 1);
        let mut page = pdf.page(*id);
        page.media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT));
        page.parent(tree);
        page.contents(stream);
        let mut resources = page.resources();
        resources
            .fonts()
            .pair(Font::Regular.name(), regular)
            .pair(Font::Bold.name(), bold);
        resources.finish();
        page.finish();
        pdf.stream(stream, &content.finish());
    }
    pdf.finish()
}

/// One fiche as a PDF.
pub fn fiche(fiche: &Fiche, library: &Library) -> Vec<u8> {
    let mut layout = Layout::new(format!(
        "{} – {}",
        fiche.meta.kind.label(),
        fiche.meta.title
    ));
    lay_out(&mut layout, fiche, library);
    document(&fiche.meta.title, layout.finish())
}

/// The awareness kit: every fiche pratique and mémo, each from a new page, after a cover.
pub fn kit(library: &Library) -> Vec<u8> {
    let title = "Kit de sensibilisation aux risques numériques";
    let mut layout = Layout::new(title.to_owned());
    layout.space(120.0);
    layout.paragraph(title, Font::Bold, 24.0, 0.0, None);
    layout.space(12.0);
    layout.paragraph(
        "Les bonnes pratiques et les réflexes à connaître, à imprimer et à partager : mots de passe, réseaux sociaux, appareils mobiles, sauvegardes, mises à jour, usages pro et perso, hameçonnage, rançongiciels, faux support technique.",
        Font::Regular,
        12.0,
        0.0,
        None,
    );
    layout.space(12.0);
    let prevention: Vec<&Fiche> = library
        .fiches
        .values()
        .filter(|f| f.meta.kind != crate::domain::content::Kind::Reflexe)
        .collect();
    for fiche in &prevention {
        layout.paragraph(&fiche.meta.title, Font::Regular, 11.0, 16.0, Some("•"));
    }
    for fiche in prevention {
        layout.new_page();
        lay_out(&mut layout, fiche, library);
    }
    document(title, layout.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_text_is_written_in_the_standard_fonts_encoding() {
        assert_eq!(
            encode("é à ç « » ’ – œ €"),
            b"\xe9 \xe0 \xe7 \xab \xbb \x92 \x96 \x9c \x80"
        );
        assert_eq!(encode("a\u{202f}:"), b"a\xa0:");
        assert_eq!(encode("✓"), b"?");
        // Widths from the font metrics: « i » is narrower than « m ».
        assert!(text_width("iiii", Font::Regular, 10.0) < text_width("mmmm", Font::Regular, 10.0));
        assert!(text_width("Bold", Font::Bold, 10.0) > text_width("Bold", Font::Regular, 10.0));
    }

    #[test]
    fn a_long_fiche_flows_onto_more_pages_and_every_page_is_numbered() {
        let mut layout = Layout::new("Essai".into());
        for _ in 0..200 {
            layout.paragraph(
                "Une phrase assez longue pour occuper une bonne partie de la ligne de texte.",
                Font::Regular,
                10.5,
                0.0,
                None,
            );
        }
        let pages = layout.finish();
        let count = pages.len();
        assert!(count > 3, "{count}");
        let pdf = document("Essai", pages);
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains(&format!("/Count {count}")), "{text}");
        // The footer's « · » is WinAnsi 0xB7, written as a hex string with the page's number.
        let last = encode(&format!("Essai · page {count}"));
        let hex: String = last.iter().map(|b| format!("{b:02X}")).collect();
        assert!(
            text.contains(&hex) || text.contains(&format!("page {count}")),
            "{text}"
        );
    }
}
