//! MinHash signatures of article text and LSH band keys, for finding one report
//! republished by many outlets. Text is folded (Arabic letter variants, diacritics,
//! tatweel, digits of every script, ё, case) and stripped of agency bylines before
//! it is cut into word shingles, so a copy with another byline, headline, tracking
//! link or paragraph order keeps nearly all its shingles.
//!
//! The hash is written out (FNV-1a, then splitmix64 per seed) rather than taken
//! from std, because signatures are stored and must not change with the compiler.

use std::collections::HashSet;

use crate::text::fold;

/// Hashes per signature.
pub const HASHES: usize = 64;
/// LSH bands of `ROWS` hashes each. Two texts become candidates when one band agrees
/// whole: with probability 1-(1-J³)²¹, i.e. 0.94 at a Jaccard similarity J of 0.5,
/// 0.99 at 0.6, 0.13 at 0.2.
pub const BANDS: usize = 21;
const ROWS: usize = 3;
/// Words per shingle.
const SHINGLE: usize = 4;

/// Bylines and agency names that differ between copies of one wire story.
const BYLINE_WORDS: &[&str] = &[
    "رويترز",
    "ا ف ب",
    "اف ب",
    "فرانس برس",
    "الاناضول",
    "د ب ا",
    "اسوشيتد برس",
    "reuters",
    "afp",
    "ap",
    "dpa",
    "upi",
    "tass",
    "ria",
    "novosti",
    "interfax",
    "тасс",
    "риа",
    "новости",
    "интерфакс",
    "рейтер",
    "sputnik",
    "спутник",
];

/// A MinHash signature.
pub type Signature = Vec<u32>;

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// splitmix64: a fixed, well-mixed 64-bit permutation (also the benches' seeded
/// stream, so their generated reports are the same on every run).
pub fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The words a text is compared by: folded, without bylines and one-letter words.
pub fn words(text: &str) -> Vec<String> {
    let folded = fold(text);
    let mut words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    // Agency names of one to three words, anywhere (bylines move around).
    let mut i = 0;
    let mut out = Vec::with_capacity(words.len());
    'outer: while i < words.len() {
        for len in (1..=3).rev() {
            if i + len <= words.len() {
                let phrase = words[i..i + len].join(" ");
                if BYLINE_WORDS.contains(&phrase.as_str()) {
                    i += len;
                    continue 'outer;
                }
            }
        }
        if words[i].chars().count() > 1 || words[i].chars().all(|c| c.is_ascii_digit()) {
            out.push(words[i].to_string());
        }
        i += 1;
    }
    words.clear();
    out
}

/// Hashes of the text's word shingles.
pub fn shingles(text: &str) -> HashSet<u64> {
    let words = words(text);
    if words.len() < SHINGLE {
        return std::iter::once(fnv1a(words.join(" ").as_bytes())).collect();
    }
    words
        .windows(SHINGLE)
        .map(|w| fnv1a(w.join(" ").as_bytes()))
        .collect()
}

/// The MinHash signature of a set of shingle hashes.
pub fn signature(shingles: &HashSet<u64>) -> Signature {
    (0..HASHES as u64)
        .map(|seed| {
            let salt = splitmix64(seed.wrapping_add(0x5eed));
            shingles
                .iter()
                .map(|h| (splitmix64(h ^ salt) >> 32) as u32)
                .min()
                .unwrap_or(u32::MAX)
        })
        .collect()
}

/// The signature of a text.
pub fn of_text(text: &str) -> Signature {
    signature(&shingles(text))
}

/// One key per band; equal keys in one band make two texts candidates. The band's
/// number is folded into the key so all bands share one index.
pub fn band_keys(sig: &Signature) -> Vec<i64> {
    sig.chunks_exact(ROWS)
        .take(BANDS)
        .enumerate()
        .map(|(band, rows)| {
            let mut bytes = Vec::with_capacity(4 * ROWS + 1);
            bytes.push(band as u8);
            for r in rows {
                bytes.extend_from_slice(&r.to_le_bytes());
            }
            fnv1a(&bytes) as i64
        })
        .collect()
}

/// Estimated Jaccard similarity of the texts behind two signatures.
pub fn similarity(a: &Signature, b: &Signature) -> f64 {
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f64 / a.len().max(1) as f64
}

/// A signature as stored (little-endian u32s).
pub fn to_bytes(sig: &Signature) -> Vec<u8> {
    sig.iter().flat_map(|h| h.to_le_bytes()).collect()
}

pub fn from_bytes(bytes: &[u8]) -> Signature {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "قالت وزارة الداخلية الكازاخستانية، الخميس، إن 18 من أفراد قوات الأمن قتلوا وأصيب 748 آخرون في الاشتباكات مع المحتجين في ألماتي. وأضافت الوزارة أنه تم اعتقال 2298 شخصا في عموم البلاد، فيما تواصلت الاحتجاجات في مدن أخرى.";

    #[test]
    fn a_copy_with_another_byline_and_spelling_is_near_identical() {
        let copy = "(رويترز) - قالت وزارة الداخليّة الكازاخستانيه، الخميس، إن ١٨ من أفراد قوات الأمن قتلوا وأصيب ٧٤٨ آخرون في الاشتباكات مع المحتجين في ألماتي. وأضافت الوزارة أنه تم اعتقال ٢٢٩٨ شخصا في عموم البلاد، فيما تواصلت الاحتجاجات في مدن أخرى.";
        assert!(similarity(&of_text(REPORT), &of_text(copy)) > 0.9);
    }

    #[test]
    fn a_different_report_is_far() {
        let other = "أعلنت منظمة معاهدة الأمن الجماعي وصول نحو 2500 جندي إلى كازاخستان للمساعدة في حماية المنشآت الحيوية، وقال الرئيس توكاييف إن النظام الدستوري أعيد إلى حد كبير.";
        assert!(similarity(&of_text(REPORT), &of_text(other)) < 0.2);
    }

    #[test]
    fn signatures_are_stable_and_round_trip() {
        let sig = of_text("Police said 12 officers were killed in Almaty on Thursday.");
        assert_eq!(sig.len(), HASHES);
        assert_eq!(from_bytes(&to_bytes(&sig)), sig);
        assert_eq!(band_keys(&sig).len(), BANDS);
        // Fixed by the hash written out above; a change here breaks stored indexes.
        assert_eq!(&sig[..3], &[689402167, 1181081598, 101099065]);
        assert_eq!(
            &band_keys(&sig)[..2],
            &[-5117369019194317952, -1912156416811637161]
        );
    }
}
