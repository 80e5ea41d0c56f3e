//! Sentences and tokens of folded text, with byte offsets into the folded text.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Word,
    /// Digits, with any thousands or decimal separators inside.
    Digits,
    Punct,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub kind: TokenKind,
    /// Joined to a neighbouring word by a hyphen or letters ("Il-76", "Khabar-24"):
    /// part of a name, not a count.
    pub glued: bool,
    /// Written with a capital letter in the original text (set by the reader
    /// that has it; folding lower-cases everything).
    pub capital: bool,
}

/// Words written with a point that does not end the sentence (folded).
const ABBREVIATIONS: &[&str] = &[
    "тыс", "млн", "млрд", "чел", "г", "гг", "ул", "обл", "им", "т", "д", "mr", "mrs", "ms", "dr",
    "gen", "lt", "col", "sgt", "maj", "capt", "no", "st", "vs", "etc", "approx", "inc", "corp",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s",
    "e.g", "i.e", "ca", "est",
];

/// Whether the line break at byte `at` only wraps a sentence whose text goes on:
/// inside a quotation the line opened, before a bracket, or between a number and
/// its noun ("... إلى 2059\nإصابة").
fn wrapped_line(text: &str, at: usize) -> bool {
    let line = text[..at].rsplit('\n').next().unwrap_or("");
    let next = text[at + 1..].chars().next();
    let open_quote = line.matches('"').count() % 2 == 1
        || line.matches(['«', '“']).count() > line.matches(['»', '”']).count();
    // A number standing alone at the line's end, and its noun after: a small
    // letter, or one of a script without case ("report a3\nThe ..." is a title).
    let last_word = line.split_whitespace().last().unwrap_or("");
    let number_then_noun = !last_word.is_empty()
        && last_word.chars().all(|c| c.is_ascii_digit() || c == ',')
        && next.is_some_and(|n| n.is_alphabetic() && !n.is_uppercase());
    (open_quote && line.chars().count() >= 40) || next == Some('(') || number_then_noun
}

/// Splits folded text into sentences as byte ranges: at `.` `!` `?` `؟` `؛` and
/// line breaks, but not inside numbers ("1.3"), after one-letter initials, or
/// where a line break only wraps the sentence.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(at, c)) in chars.iter().enumerate() {
        let boundary = match c {
            '\n' => !wrapped_line(text, at),
            '!' | '?' | '؟' | '؛' => true,
            '.' => {
                let next = chars.get(i + 1).map(|x| x.1);
                let prev = i.checked_sub(1).map(|j| chars[j].1);
                let in_number = prev.is_some_and(|p| p.is_ascii_digit())
                    && next.is_some_and(|n| n.is_ascii_digit());
                // The word before the point: an initial ("v. putin") or an
                // abbreviation ("5 тыс. человек", "gen. smith") does not end a sentence.
                let word: String = chars[..i]
                    .iter()
                    .rev()
                    .take_while(|x| x.1.is_alphabetic())
                    .map(|x| x.1)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                let initial = word.chars().count() == 1
                    && !word.chars().all(|c| matches!(c, 'و' | 'ب' | 'ل'));
                let abbreviation = ABBREVIATIONS.contains(&word.as_str());
                !(in_number
                    || initial
                    || abbreviation
                    || next.is_some_and(|n| n == '.' || n.is_alphanumeric()))
            }
            _ => false,
        };
        if boundary {
            let end = at + c.len_utf8();
            if text[start..end].trim().chars().any(char::is_alphanumeric) {
                out.push((start, end));
            }
            start = end;
        }
    }
    if text[start..].trim().chars().any(char::is_alphanumeric) {
        out.push((start, text.len()));
    }
    out
}

fn is_word_char(c: char) -> bool {
    // Fast paths for the scripts read most; the Unicode table for the rest.
    match c {
        'a'..='z' | 'A'..='Z' => true,
        '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}' | '\u{0671}'..='\u{06D3}' => true,
        '\u{0410}'..='\u{044F}' | '\u{0401}' | '\u{0451}' => true,
        '\u{200C}' | '\u{200D}' => true,
        _ if c.is_ascii() => false,
        _ => c.is_alphabetic(),
    }
}

/// Where the number starting at `start` ends: "1,300", "1.3", "5,8", and "1 300"
/// when a group of exactly three digits follows.
fn digits_end(chars: &[(usize, char)], start: usize) -> usize {
    let digit = |i: usize| chars.get(i).is_some_and(|x| x.1.is_ascii_digit());
    let mut i = start + 1;
    loop {
        while digit(i) {
            i += 1;
        }
        let sep = chars.get(i).map(|x| x.1);
        if matches!(sep, Some(',' | '.')) && digit(i + 1) {
            i += 1;
            continue;
        }
        if sep == Some(' ') {
            let group = (1..=3).all(|k| digit(i + k));
            let run_before = chars[start..i]
                .iter()
                .rev()
                .take_while(|x| x.1.is_ascii_digit())
                .count();
            if group && !digit(i + 4) && run_before <= 3 {
                i += 1;
                continue;
            }
        }
        return i;
    }
}

/// Whether the digits at `start..end` are written against letters ("خبر24",
/// "3rd"), which makes them a name or an ordinal. Arabic "و" written against a
/// number ("و3") is "and", and "الـ200" the article, not a name.
fn glued_digits(chars: &[(usize, char)], start: usize, end: usize) -> bool {
    let conjunction = (start == 1 && chars[0].1 == 'و')
        || (start >= 2 && chars[start - 1].1 == 'و' && !is_word_char(chars[start - 2].1));
    let article = start >= 2
        && chars[start - 2].1 == 'ا'
        && chars[start - 1].1 == 'ل'
        && (start == 2 || !is_word_char(chars[start - 3].1));
    (start > 0 && is_word_char(chars[start - 1].1) && !conjunction && !article)
        || chars.get(end).is_some_and(|x| is_word_char(x.1))
}

/// Tokens of one (folded) sentence; offsets are relative to `base`.
pub fn tokenize(text: &str, base: usize) -> Vec<Token> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut tokens: Vec<Token> = Vec::new();
    let mut i = 0;
    let at = |i: usize| chars.get(i).map_or(text.len(), |x| x.0);
    while i < chars.len() {
        let c = chars[i].1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let kind;
        if c.is_ascii_digit() {
            i = digits_end(&chars, start);
            kind = TokenKind::Digits;
        } else if is_word_char(c) {
            i += 1;
            while i < chars.len()
                && (is_word_char(chars[i].1)
                    || (matches!(chars[i].1, '-' | '\'')
                        && chars.get(i + 1).is_some_and(|n| is_word_char(n.1))))
            {
                i += 1;
            }
            kind = TokenKind::Word;
        } else {
            i += 1;
            kind = TokenKind::Punct;
        }
        let (s, e) = (at(start), at(i));
        let glued = kind == TokenKind::Digits && glued_digits(&chars, start, i);
        tokens.push(Token {
            text: text[s..e].to_string(),
            start: base + s,
            end: base + e,
            kind,
            glued,
            capital: false,
        });
    }
    // A hyphen between a word and digits makes both one name ("il-76").
    for k in 1..tokens.len().saturating_sub(1) {
        if tokens[k].text == "-"
            && tokens[k - 1].kind == TokenKind::Word
            && tokens[k + 1].kind == TokenKind::Digits
            && tokens[k - 1].end == tokens[k].start
            && tokens[k].end == tokens[k + 1].start
        {
            tokens[k + 1].glued = true;
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        tokenize(s, 0).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn numbers_keep_their_separators() {
        assert_eq!(
            texts("1,300 killed; 1 300 hurt, 5,8 тыс. and 1.3 ألف"),
            vec![
                "1,300", "killed", ";", "1 300", "hurt", ",", "5,8", "тыс", ".", "and", "1.3",
                "ألف"
            ]
        );
        assert_eq!(
            texts("in 2022 12 people"),
            vec!["in", "2022", "12", "people"]
        );
    }

    #[test]
    fn names_with_digits_are_glued() {
        let t = tokenize("an il-76 and khabar-24 and 3 men", 0);
        assert!(t.iter().find(|x| x.text == "76").unwrap().glued);
        assert!(t.iter().find(|x| x.text == "24").unwrap().glued);
        assert!(!t.iter().find(|x| x.text == "3").unwrap().glued);
    }

    fn split(s: &str) -> Vec<&str> {
        sentences(s)
            .into_iter()
            .map(|(a, b)| s[a..b].trim())
            .collect()
    }

    #[test]
    fn a_line_break_ends_a_sentence_unless_it_only_wraps_one() {
        let s = "Floods hit the north\n\"Twelve people died in the flooded valley and four\nin the hills,\" he said\n\
                 the toll rose to 2059\ninjured\n(wrapped) here\nNext line";
        assert_eq!(
            split(s),
            vec![
                "Floods hit the north",
                "\"Twelve people died in the flooded valley and four\nin the hills,\" he said",
                "the toll rose to 2059\ninjured\n(wrapped) here",
                "Next line"
            ]
        );
        // A title ending in a name with digits, then the body.
        assert_eq!(
            split("report a3\nThe ministry said"),
            vec!["report a3", "The ministry said"]
        );
    }

    #[test]
    fn sentences_split_but_not_inside_numbers() {
        let s = "police said 1.3 thousand were held. then more came! ok";
        assert_eq!(
            split(s),
            vec![
                "police said 1.3 thousand were held.",
                "then more came!",
                "ok"
            ]
        );
    }
}
