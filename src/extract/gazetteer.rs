//! The gazetteer: every country, first-level region and city of 15,000 people or
//! more (GeoNames, CLDR and iso-codes, built by `scripts/gazetteer.py`), with the
//! spellings of the Arabic, English and Russian press, plus the places a pipeline
//! or `places.toml` adds; and how a name in a sentence is found in it.
//!
//! Russian names are matched on a stem, so that "в Харькове" and "Краматорска"
//! find Харьков and Краматорск; Arabic ones through the lexicon's clitics
//! ("بحلب"); English and Russian names only where the text writes a capital.

use std::io::Read;
use std::sync::{Arc, OnceLock};

use super::tokens::{self, Token, TokenKind};
use crate::config::Place;
use crate::text::fold;

type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

/// The generated world list, gzipped TSV (see `scripts/gazetteer.py`).
const WORLD: &[u8] = include_bytes!("lexicons/world.tsv.gz");

/// The languages the gazetteer has spellings for, in the order of its columns.
const LANGUAGES: [&str; 3] = ["ar", "en", "ru"];

/// What sort of place a record is. When one name is several, a country outranks
/// a city and a city its region ("Tripoli" is the city, not the district).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PlaceKind {
    Region,
    City,
    Country,
    /// A place of `places.toml` or of a pipeline: it wins over the world list.
    Added,
}

/// One place: its English name and its ISO 3166-1 country code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceRecord {
    pub name: String,
    pub country: Option<String>,
    pub kind: PlaceKind,
    pub population: u64,
}

/// A name the text may write, in one language: its folded words after the first
/// (stems, in Russian) and the places it can mean.
#[derive(Debug, Clone, Default)]
struct Name {
    rest: Vec<String>,
    places: Vec<u32>,
}

/// The names of one language, by their first word (its stem, in Russian).
#[derive(Debug, Clone, Default)]
struct NameIndex {
    names: Vec<Name>,
    by_first: HashMap<String, Vec<u32>>,
    /// The same name, by its first word and the rest joined, to fold spellings of
    /// one name for several places into one entry.
    by_whole: HashMap<String, u32>,
}

/// A name found in a sentence: which one, and how many bytes of its first token
/// are a clitic ("ب" of "بحلب"), so that the place can be quoted as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlaceName {
    name: u32,
    /// Added places are numbered after the world's.
    added: bool,
    pub clitic: u8,
}

/// The world list, loaded once per process; each language's names are indexed
/// the first time a text in that language needs them.
#[derive(Debug)]
struct World {
    /// The decompressed list, whose lines the indexes are built from.
    text: String,
    places: Vec<PlaceRecord>,
    index: [OnceLock<NameIndex>; 3],
    adjectives: [OnceLock<HashMap<String, String>>; 3],
}

/// The world list plus the places added to it, for one language.
#[derive(Debug, Clone)]
pub struct Gazetteer {
    world: &'static World,
    language: usize,
    added: Arc<(Vec<PlaceRecord>, NameIndex)>,
}

/// Case endings a Russian place name takes: "Казань, Казани, Казанью",
/// "Воронежская область, Воронежской области". Longest first.
const RUSSIAN_ENDINGS: &[&str] = &[
    "ого", "его", "ому", "ему", "ыми", "ими", "ами", "ями", "ой", "ей", "ий", "ый", "ая", "яя",
    "ое", "ее", "ые", "ие", "ую", "юю", "ом", "ем", "ах", "ях", "ам", "ям", "ью", "ию", "ия", "ии",
    "а", "я", "о", "е", "у", "ю", "ы", "и", "ь", "й",
];

/// A Russian stem keeps at least this many letters.
const MIN_STEM: usize = 3;

/// The stem a Russian name word is indexed by: without its longest case ending.
fn russian_stem(word: &str) -> &str {
    RUSSIAN_ENDINGS
        .iter()
        .find_map(|e| {
            word.strip_suffix(e)
                .filter(|r| r.chars().count() >= MIN_STEM)
        })
        .unwrap_or(word)
}

/// Every stem a Russian word in the text may have: itself and itself without
/// each ending it has.
fn russian_stems(word: &str) -> impl Iterator<Item = &str> {
    std::iter::once(word).chain(RUSSIAN_ENDINGS.iter().filter_map(move |e| {
        word.strip_suffix(e)
            .filter(|r| r.chars().count() >= MIN_STEM)
    }))
}

/// A name's words as the tokenizer splits text, quotes dropped as sentences drop
/// them; `None` for a name with no word in it.
fn name_words(name: &str, russian: bool) -> Option<Vec<String>> {
    let folded = fold(name);
    // Most names are words and spaces, which the tokenizer splits at the spaces.
    if folded.chars().all(|c| c.is_alphabetic() || c == ' ') {
        let words: Vec<String> = folded
            .split_whitespace()
            .map(|w| if russian { russian_stem(w) } else { w }.to_string())
            .collect();
        return (!words.is_empty()).then_some(words);
    }
    let words: Vec<String> = tokens::tokenize(&folded, 0)
        .into_iter()
        .filter(|t| !matches!(t.text.as_str(), "\"" | "'" | "`" | "(" | ")"))
        .map(|t| {
            if russian && t.kind == TokenKind::Word {
                russian_stem(&t.text).to_string()
            } else {
                t.text
            }
        })
        .collect();
    words
        .iter()
        .any(|w| w.chars().any(char::is_alphabetic))
        .then_some(words)
}

impl NameIndex {
    fn add(&mut self, written: &str, place: u32, russian: bool) {
        let Some(mut words) = name_words(written, russian) else {
            return;
        };
        let whole = words.join(" ");
        let id = match self.by_whole.get(&whole) {
            Some(&id) => id,
            None => {
                let id = self.names.len() as u32;
                let first = words.remove(0);
                self.names.push(Name {
                    rest: words,
                    places: Vec::new(),
                });
                self.by_first.entry(first).or_default().push(id);
                self.by_whole.insert(whole, id);
                id
            }
        };
        let places = &mut self.names[id as usize].places;
        if !places.contains(&place) {
            places.push(place);
        }
    }

    /// The longest name starting at token `i` whose first word is one of `firsts`,
    /// with the token after it.
    fn longest<'a>(
        &self,
        firsts: impl Iterator<Item = &'a str>,
        tokens: &[Token],
        i: usize,
        russian: bool,
    ) -> Option<(u32, usize)> {
        let mut best: Option<(u32, usize)> = None;
        for first in firsts {
            for &id in self.by_first.get(first).into_iter().flatten() {
                let rest = &self.names[id as usize].rest;
                let fits = rest.iter().enumerate().all(|(k, w)| {
                    tokens.get(i + 1 + k).is_some_and(|t| {
                        if russian && t.kind == TokenKind::Word {
                            russian_stems(&t.text).any(|s| s == w)
                        } else {
                            &t.text == w
                        }
                    })
                });
                let end = i + 1 + rest.len();
                if fits && best.is_none_or(|(_, e)| end > e) {
                    best = Some((id, end));
                }
            }
        }
        best
    }
}

/// A gazetteer line that does not parse; the shipped file is checked by tests.
#[derive(Debug, thiserror::Error)]
#[error("gazetteer line {line}: {detail}")]
pub struct GazetteerError {
    line: usize,
    detail: String,
}

impl World {
    fn shipped() -> &'static World {
        static WORLD_LIST: OnceLock<World> = OnceLock::new();
        WORLD_LIST.get_or_init(|| {
            World::parse(WORLD).unwrap_or_else(|e| panic!("the shipped gazetteer is broken: {e}"))
        })
    }

    fn parse(gz: &[u8]) -> Result<World, GazetteerError> {
        let mut text = String::new();
        flate2::read::GzDecoder::new(gz)
            .read_to_string(&mut text)
            .map_err(|e| GazetteerError {
                line: 0,
                detail: e.to_string(),
            })?;
        let mut places = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let bad = |detail: &str| GazetteerError {
                line: n + 1,
                detail: detail.to_string(),
            };
            let mut cols = line.split('\t');
            let (Some(kind), Some(country), Some(population), Some(name)) =
                (cols.next(), cols.next(), cols.next(), cols.next())
            else {
                return Err(bad("fewer than 4 columns"));
            };
            let kind = match kind {
                "C" => PlaceKind::Country,
                "R" => PlaceKind::Region,
                "P" => PlaceKind::City,
                _ => return Err(bad("kind is not C, R or P")),
            };
            places.push(PlaceRecord {
                name: name.to_string(),
                country: Some(country.to_string()),
                kind,
                population: population
                    .parse()
                    .map_err(|_| bad("population is not a number"))?,
            });
        }
        Ok(World {
            text,
            places,
            index: Default::default(),
            adjectives: Default::default(),
        })
    }

    /// The stems country adjectives are made from, in language `lang`: each
    /// country's one-word names without their final vowel ("libya" → "liby",
    /// "ليبيا" → "ليب", "ливия" → "лив").
    fn adjective_stems(&self, lang: usize) -> &HashMap<String, String> {
        self.adjectives[lang].get_or_init(|| {
            let mut stems = HashMap::default();
            for (line, place) in self.text.lines().zip(&self.places) {
                let (PlaceKind::Country, Some(cc)) = (place.kind, &place.country) else {
                    continue;
                };
                let column = line.split('\t').nth(4 + lang).unwrap_or("");
                for name in column.split('|').map(fold).filter(|n| !n.contains(' ')) {
                    let name = if LANGUAGES[lang] == "ar" {
                        name.strip_prefix("ال").unwrap_or(&name).to_string()
                    } else {
                        name
                    };
                    let stem = ["يا", "ا", "ia", "ey", "a", "e", "o", "y", "ия", "я", "а"]
                        .iter()
                        .find_map(|e| name.strip_suffix(e).filter(|s| s.chars().count() >= 3))
                        .unwrap_or(&name);
                    stems.entry(stem.to_string()).or_insert_with(|| cc.clone());
                    stems.entry(name.clone()).or_insert_with(|| cc.clone());
                }
            }
            stems
        })
    }

    /// The names of language `lang` (an index into [`LANGUAGES`]).
    fn index(&self, lang: usize) -> &NameIndex {
        self.index[lang].get_or_init(|| {
            let mut index = NameIndex::default();
            for (id, line) in self.text.lines().enumerate() {
                let column = line.split('\t').nth(4 + lang).unwrap_or("");
                for written in column.split('|').filter(|s| !s.is_empty()) {
                    index.add(written, id as u32, LANGUAGES[lang] == "ru");
                }
            }
            index
        })
    }
}

impl Gazetteer {
    /// The world list for `language`, or `None` for a language it has no names in.
    pub fn world(language: &str) -> Option<Gazetteer> {
        let language = LANGUAGES.iter().position(|l| *l == language)?;
        Some(Gazetteer {
            world: World::shipped(),
            language,
            added: Arc::new((Vec::new(), NameIndex::default())),
        })
    }

    fn russian(&self) -> bool {
        LANGUAGES[self.language] == "ru"
    }

    /// Adds places, whose spellings (`Караганд*` style prefixes lose their `*`)
    /// win over the world's.
    pub fn add(&mut self, places: &[Place]) {
        let russian = self.russian();
        let (records, index) = Arc::make_mut(&mut self.added);
        for p in places {
            let id = records.len() as u32;
            records.push(PlaceRecord {
                name: p.name.clone(),
                country: p.country.clone(),
                kind: PlaceKind::Added,
                population: 0,
            });
            for written in p.aliases.iter().chain([&p.name]) {
                index.add(written.trim_end_matches('*'), id, russian);
            }
        }
    }

    /// The place name starting at token `i`, with the token after it. `forms`
    /// are the token's forms without clitics, as the lexicon tries them.
    pub fn find(&self, tokens: &[Token], i: usize, forms: &[&str]) -> Option<(PlaceName, usize)> {
        let t = tokens.get(i)?;
        let arabic = LANGUAGES[self.language] == "ar";
        if t.kind != TokenKind::Word || !(arabic || t.capital) {
            return None;
        }
        let russian = self.russian();
        let lookup = |index: &NameIndex| {
            if russian {
                index.longest(russian_stems(&t.text), tokens, i, true)
            } else {
                index.longest(forms.iter().copied(), tokens, i, false)
            }
        };
        let (found, added) = match lookup(&self.added.1) {
            Some(hit) => (hit, true),
            None => (lookup(self.world.index(self.language))?, false),
        };
        let (name, end) = found;
        let index = if added {
            &self.added.1
        } else {
            self.world.index(self.language)
        };
        // The clitic is what the form that matched lacks of the token.
        let first_len = forms
            .iter()
            .filter(|f| {
                index
                    .by_first
                    .get(**f)
                    .is_some_and(|ids| ids.contains(&name))
            })
            .map(|f| f.len())
            .max()
            .unwrap_or(t.text.len());
        let clitic = u8::try_from(t.text.len() - first_len).unwrap_or(0);
        Some((
            PlaceName {
                name,
                added,
                clitic,
            },
            end,
        ))
    }

    /// The places a name can mean.
    fn candidates(&self, name: PlaceName) -> impl Iterator<Item = &PlaceRecord> {
        let (records, index): (&[PlaceRecord], &NameIndex) = if name.added {
            (&self.added.0, &self.added.1)
        } else {
            (&self.world.places, self.world.index(self.language))
        };
        index.names[name.name as usize]
            .places
            .iter()
            .map(move |&p| &records[p as usize])
    }

    /// The place a name means: one in a `preferred` country if it can be, then a
    /// country over a city over a region, then the most populous.
    pub fn resolve(&self, name: PlaceName, preferred: &[String]) -> &PlaceRecord {
        self.candidates(name)
            .max_by_key(|p| {
                let liked = p
                    .country
                    .as_ref()
                    .is_some_and(|c| preferred.iter().any(|x| x == c));
                (liked, p.kind, p.population)
            })
            .expect("every name has a place")
    }

    /// The country a source phrase names, by name ("Turkey's health ministry",
    /// "Минздрав Ливии") or by its adjective ("the Libyan health ministry",
    /// "وزارة الصحة الليبية", "сирийский Минздрав"), so that two countries'
    /// ministries are two sources.
    pub fn country_in(&self, phrase: &str) -> Option<String> {
        let mut tokens = tokens::tokenize(&fold(phrase), 0);
        // Capitals are not known here; only countries are taken, which no common
        // word is.
        tokens.iter_mut().for_each(|t| t.capital = true);
        for t in tokens.iter_mut() {
            // "Turkey's" is Turkey.
            if let Some(w) = t.text.strip_suffix("'s") {
                t.text = w.to_string();
            }
        }
        (0..tokens.len()).find_map(|i| {
            let forms = [tokens[i].text.as_str()];
            // A country anywhere; a town only after "in" ("the health ministry in
            // Gaza"), as a word of the phrase may be some town's name.
            let after_in =
                i > 0 && ["in", "at", "في", "в", "во"].contains(&tokens[i - 1].text.as_str());
            let by_name = self.find(&tokens, i, &forms).and_then(|(name, _)| {
                let town = || {
                    after_in
                        .then(|| self.resolve(name, &[]).country.clone())
                        .flatten()
                };
                self.country(name).map(str::to_string).or_else(town)
            });
            by_name.or_else(|| self.country_of_adjective(&tokens[i].text))
        })
    }

    /// The country whose adjective `word` (folded) is: its name's stem with an
    /// adjective ending ("libyan", "الليبية", "ливийский").
    fn country_of_adjective(&self, word: &str) -> Option<String> {
        let stems = self.world.adjective_stems(self.language);
        let language = LANGUAGES[self.language];
        let endings: &[&str] = match language {
            "ar" => &["يون", "يين", "يه", "ي"],
            "ru" => &[
                "ийского",
                "ийской",
                "ийский",
                "ийская",
                "ийское",
                "ийских",
                "ского",
                "ской",
                "ский",
                "ская",
                "ское",
                "ских",
                "скому",
                "ским",
            ],
            _ => &["ian", "an", "i", "ese", "ean", "ish", "n"],
        };
        let word = if language == "ar" {
            word.strip_prefix("ال").unwrap_or(word)
        } else {
            word
        };
        endings.iter().find_map(|e| {
            let stem = word.strip_suffix(e)?;
            (stem.chars().count() >= 3)
                .then(|| stems.get(stem))
                .flatten()
                .cloned()
        })
    }

    /// The country a name is, when it names one ("Libya", "ليبيا", "Ливии").
    pub fn country(&self, name: PlaceName) -> Option<&str> {
        self.candidates(name)
            .find(|p| p.kind == PlaceKind::Country)
            .and_then(|p| p.country.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_world_list_parses() {
        let world = World::parse(WORLD).unwrap();
        let countries = world
            .places
            .iter()
            .filter(|p| p.kind == PlaceKind::Country)
            .count();
        assert!(countries >= 249, "{countries}");
        assert!(world.places.len() > 30_000, "{}", world.places.len());
    }

    #[test]
    fn russian_case_forms_share_a_stem() {
        for (name, forms) in [
            ("казань", &["казани", "казанью"][..]),
            ("краматорск", &["краматорске", "краматорска"]),
            ("сирия", &["сирии", "сирию"]),
            ("воронежская", &["воронежской"]),
            ("нагорный", &["нагорном", "нагорного"]),
        ] {
            let stem = russian_stem(name);
            for f in forms {
                assert!(
                    russian_stems(f).any(|s| s == stem),
                    "{f} is not {name} ({stem})"
                );
            }
        }
    }

    #[test]
    fn a_source_phrase_names_its_country_by_name_or_adjective() {
        for (lang, phrase, cc) in [
            ("en", "the Libyan health ministry", "LY"),
            ("en", "Turkey's health ministry", "TR"),
            ("en", "the Turkish health ministry", "TR"),
            ("en", "Syria's civil defence", "SY"),
            ("ar", "وزارة الصحة الليبية", "LY"),
            ("ar", "الدفاع المدني السوري", "SY"),
            ("ar", "وزارة الصحة في غزة", "PS"),
            ("ru", "Минздрав Ливии", "LY"),
            ("ru", "сирийский Минздрав", "SY"),
            ("ru", "МЧС России", "RU"),
        ] {
            let g = Gazetteer::world(lang).unwrap();
            assert_eq!(g.country_in(phrase).as_deref(), Some(cc), "{phrase}");
        }
        let g = Gazetteer::world("en").unwrap();
        assert_eq!(g.country_in("the health ministry"), None);
    }

    #[test]
    fn a_bad_line_is_reported_with_its_number() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, b"C\tLY\t1\tLibya\t\tLibya\t\nX\tLY\t1\tY\t\t\t\n")
            .unwrap();
        let err = World::parse(&gz.finish().unwrap()).unwrap_err();
        assert_eq!(err.to_string(), "gazetteer line 2: kind is not C, R or P");
    }
}
