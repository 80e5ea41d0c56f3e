//! Text folding shared by keyword filters, dedupe and extraction: case, Arabic
//! letter variants, diacritics and tatweel, Russian ё, and digits of every script.

/// Folds one character for matching; `None` drops it (a diacritic or tatweel).
pub fn fold_char(c: char) -> Option<char> {
    Some(match c {
        // Arabic harakat, tanwin, shadda, sukun, superscript alef, tatweel.
        '\u{064B}'..='\u{0652}' | '\u{0670}' | '\u{0640}' => return None,
        'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
        'ة' => 'ه',
        'ى' => 'ي',
        'ؤ' => 'و',
        '٠'..='٩' => char::from(b'0' + (c as u32 - '٠' as u32) as u8),
        '۰'..='۹' => char::from(b'0' + (c as u32 - '۰' as u32) as u8),
        '٬' => ',',
        '٫' => '.',
        'ё' | 'Ё' => 'е',
        // Quotes of every kind read as one.
        '“' | '”' | '«' | '»' | '„' | '″' => '"',
        '‘' | '’' => '\'',
        '\u{00A0}' | '\u{202F}' | '\u{2009}' => ' ',
        _ => {
            let mut lower = c.to_lowercase();
            let first = lower.next().unwrap_or(c);
            // Multi-char lowercases (rare: 'İ') keep their first char; offsets stay 1:1.
            first
        }
    })
}

/// Text folded for matching, with the byte offset in the original text of every
/// byte of the folded text, so that a match maps back to the article.
#[derive(Debug, Clone)]
pub struct Folded {
    pub text: String,
    origin: Vec<usize>,
    source_len: usize,
}

impl Folded {
    pub fn new(source: &str) -> Self {
        let mut text = String::with_capacity(source.len());
        let mut origin = Vec::with_capacity(source.len() + 1);
        for (at, c) in source.char_indices() {
            if let Some(f) = fold_char(c) {
                text.push(f);
                origin.extend(std::iter::repeat_n(at, f.len_utf8()));
            }
        }
        Folded {
            text,
            origin,
            source_len: source.len(),
        }
    }

    /// Maps a byte range of the folded text to a byte range of the source.
    pub fn source_range(&self, start: usize, end: usize) -> (usize, usize) {
        let s = self.origin.get(start).copied().unwrap_or(self.source_len);
        let e = if end == 0 {
            s
        } else {
            // End after the last source char that produced folded[end-1].
            match self.origin.get(end) {
                Some(&o) => o,
                None => self.source_len,
            }
        };
        (s, e.max(s))
    }
}

/// Folds a whole string for comparison.
pub fn fold(s: &str) -> String {
    s.chars().filter_map(fold_char).collect()
}

/// Keyword match as pipelines define it: case-, diacritic- and letter-variant-
/// insensitive substring. `keywords` must already be folded.
pub fn matches_any(folded_keywords: &[String], haystacks: &[&str]) -> bool {
    if folded_keywords.is_empty() {
        return true;
    }
    haystacks.iter().any(|h| {
        let h = fold(h);
        folded_keywords.iter().any(|k| h.contains(k.as_str()))
    })
}

/// Character offset of a byte offset.
pub fn char_offset(s: &str, byte: usize) -> usize {
    s[..byte].chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_arabic_variants_diacritics_and_digits() {
        assert_eq!(fold("أُلْمَاتِي"), "الماتي");
        assert_eq!(fold("إصابة"), "اصابه");
        assert_eq!(fold("٢٢٩٨"), "2298");
        assert_eq!(fold("۱۲"), "12");
        assert_eq!(fold("Алма-Ата Ёлка"), "алма-ата елка");
        assert_eq!(fold("ـمقتـل"), "مقتل");
    }

    #[test]
    fn folded_ranges_map_back_to_source() {
        let src = "قُتِلَ ٨ أشخاص";
        let f = Folded::new(src);
        let at = f.text.find('8').unwrap();
        let (s, e) = f.source_range(at, at + 1);
        assert_eq!(&src[s..e], "٨");
        let at = f.text.find("اشخاص").unwrap();
        let (s, e) = f.source_range(at, at + "اشخاص".len());
        assert_eq!(&src[s..e], "أشخاص");
    }

    #[test]
    fn keywords_ignore_case_and_arabic_variants() {
        let kws = vec![fold("كازاخستان"), fold("Almaty")];
        assert!(matches_any(&kws, &["احتجاجات في كَازاخستان"]));
        assert!(matches_any(&kws, &["", "Unrest in ALMATY"]));
        assert!(!matches_any(&kws, &["Protests in Minsk"]));
        assert!(matches_any(&[], &["anything"]));
    }
}
