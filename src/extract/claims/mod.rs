//! Claim assembly: numbers in a sentence joined to the event word, the people
//! counted, the qualifier, the place and the source that states them.

use super::gazetteer::PlaceName;
use super::lexicon::{Cat, Lexicon, Match, SourceKeys};
use super::numbers::{self, Mention};
use super::tokens::{self, Token, TokenKind};
use crate::model::{Claim, Kind, Qualifier, Span, Who};
use crate::text::{Folded, char_offset, fold};

mod attribution;
mod document;

use attribution::{Attribution, asides};
use document::Document;

/// How far (in tokens) an event word may stand from its number.
const KIND_WINDOW: usize = 6;
/// The same for a number with no noun of its own ("748 were injured").
const BARE_WINDOW: usize = 2;
/// Tokens that may stand between a figure and the place its clause gives it:
/// "killed in a missile strike on a train station in Kramatorsk".
const PLACE_WINDOW: usize = 9;
/// Longest source phrase, in tokens.
const SOURCE_WORDS: usize = 7;
/// How far a total's noun may stand from the verb that gives its new value:
/// "the death toll in the port city alone has risen to 5,496".
const TOLL_WINDOW: usize = 20;
/// How far a total's noun may stand before its event word: "the number of
/// victims among demonstrators who died", "عدد الحجاج المصريين الذين لقوا حتفهم".
const TOLL_NOUN_TO_EVENT: usize = 6;
/// Conjunctions that open the next clause when they lead an event word.
const AND: &[&str] = &["and", "while", "и", "а"];

/// A sentence being read.
struct Sentence<'a> {
    tokens: Vec<Token>,
    /// For each token, the aside in brackets or dashes it stands in, by number.
    asides: Vec<Option<usize>>,
    /// The attribution cues, found once: both the sentence's source and, with
    /// several, each figure's read them.
    cues: std::cell::OnceCell<(Vec<attribution::CueSpan>, bool)>,
    /// Where a total's noun led by a verb of change ends ("بلغ عدد"), found once.
    totals_after_verb: std::cell::OnceCell<Vec<usize>>,
    /// The places the sentence writes as where something happened, found once.
    places: std::cell::OnceCell<Vec<PlaceAt>>,
    matches: Vec<Match>,
    /// For each token, the matches covering it, in scan order.
    covers: Vec<Vec<usize>>,
    lex: &'a Lexicon,
}

impl Sentence<'_> {
    fn at(&self, i: usize, pred: impl Fn(&Cat) -> bool) -> Option<&Match> {
        self.covering_all(i).find(|m| m.start == i && pred(&m.cat))
    }

    fn covering(&self, i: usize, pred: impl Fn(&Cat) -> bool) -> Option<&Match> {
        self.covering_all(i).find(|m| pred(&m.cat))
    }

    fn covering_all(&self, i: usize) -> impl Iterator<Item = &Match> {
        self.covers
            .get(i)
            .into_iter()
            .flatten()
            .map(|&j| &self.matches[j])
    }

    /// Tokens between `a` and `b` that count: function words ("were", "in",
    /// "تم") and qualifiers ("killed at least 30") do not.
    fn gap(&self, a: usize, b: usize) -> usize {
        (a..b)
            .filter(|&i| {
                self.covering(i, |c| matches!(c, Cat::Skip | Cat::QualBefore(_)))
                    .is_none()
            })
            .count()
    }

    /// Whether the place `name` at token `i` is written as where something
    /// happened: after "in" ("in the Kazan shooting"), "في", "в", or with the
    /// preposition "ب" on it ("بحلب"; "بأنه" is no Baneh).
    fn introduces_place(&self, i: usize, name: PlaceName) -> bool {
        let token = &self.tokens[i].text;
        let bi = name.clitic > 0 && ["ب", "وب", "فب"].iter().any(|c| token.starts_with(c));
        bi || self.after_place_preposition(i)
    }

    /// Whether a preposition of place stands before token `i`, perhaps past
    /// "the" and words that narrow the place: "in northern India", "in the north
    /// of Syria", "في شمال الهند", "بجنوب لبنان", "на севере Индии", "in the capital
    /// Baghdad", "في العاصمة بغداد".
    fn after_place_preposition(&self, i: usize) -> bool {
        let mut j = i;
        while j > 0 && i - j < 4 {
            let t = &self.tokens[j - 1].text;
            if PLACE_PREPOSITIONS.contains(&t.as_str()) {
                return true;
            }
            let bare = ["وب", "ب"].iter().find_map(|c| t.strip_prefix(c));
            if bare.is_some_and(|b| PLACE_QUALIFIERS.contains(&b)) {
                return true;
            }
            // "в дагестанских Дербенте": a Russian adjective of place.
            if !self.place_adjective(j - 1)
                && !self.is_word(j - 1, &["the", "of"])
                && !self.is_word(j - 1, PLACE_QUALIFIERS)
            {
                return false;
            }
            j -= 1;
        }
        false
    }

    /// Whether token `i` is a Russian adjective of a place, in the cases a place
    /// stands in after "в": "дагестанских", "петербургском", "кемеровской".
    fn place_adjective(&self, i: usize) -> bool {
        let t = &self.tokens[i];
        t.kind == TokenKind::Word
            && ["ских", "ском", "ской", "ского"]
                .iter()
                .any(|e| t.text.ends_with(e))
    }

    /// Where a clause that "where" opens right after token `end` begins its
    /// body ("Sylhet, where 12 died", "ولاية تارودانت، التي سقط فيها 452",
    /// "в Харькове, где погибли 5", "the district, in which 31 died").
    fn where_clause(&self, end: usize) -> Option<usize> {
        let at = end + usize::from(self.is_word(end, &[",", "،"]));
        if self.is_word(at, WHERE) {
            return Some(at + 1);
        }
        if self.is_word(at, &["in", "в", "во"]) && self.is_word(at + 1, WHICH) {
            return Some(at + 2);
        }
        // "التي سقط فيها": "in it" closes the relative's verb.
        (self.is_word(at, &["التي", "الذي"]))
            .then(|| (at + 1..at + 4).find(|&k| self.is_word(k, IN_IT)))
            .flatten()
            .map(|k| k + 1)
    }

    /// Whether a place begins at token `i` ("in Kano", "في ورزازات", "بإقليم
    /// شيشاوة", "в Перми"): a place of the gazetteer, or one introduced as a
    /// place is (a capitalised name after "in"; in Arabic any word after "في", or
    /// a word with the prefix "ب" that the lexicon does not know).
    fn names_a_place(&self, i: usize) -> bool {
        let place = |j: usize| self.covering(j, |c| matches!(c, Cat::Place(_))).is_some();
        let known = |j: usize| {
            self.covering(j, |c| !matches!(c, Cat::Place(_) | Cat::PlaceNoun))
                .is_some()
        };
        let word = |j: usize| self.tokens.get(j).filter(|t| t.kind == TokenKind::Word);
        let arabic = self.lex.language == "ar";
        // A name alone is a place only with the preposition "ب" on it ("بحلب"):
        // "106 ميل" counts miles, not people in a town called Mil.
        let with_bi = word(i).is_some_and(|t| t.text.starts_with('ب') || t.text.starts_with("وب"));
        if place(i) && (with_bi || !arabic) {
            return true;
        }
        if self.is_word(i, &["in", "at", "في", "وفي", "в", "во"]) {
            // "in the Basra province"
            let name = i + 1 + usize::from(self.is_word(i + 1, &["the"]));
            return word(name)
                .is_some_and(|t| (t.capital || arabic) && !known(name) || place(name));
        }
        arabic
            && word(i)
                .is_some_and(|t| t.text.starts_with('ب') && t.text.chars().count() > 3 && !known(i))
    }

    /// Whether `o` counts things that are not people, perhaps past one adjective:
    /// "two northern provinces", "500 уголовных дел".
    fn counts_things(&self, o: &Mention) -> bool {
        self.counts_things_at(o.end, o.end)
    }

    /// The event of a running total whose new value `m` is: "the death toll in the
    /// port city alone has risen to 5,496", "ارتفعت حصيلة الجرحى إلى 2059", "число
    /// пострадавших ... возросло до 51". The figure is led in by a verb of change or
    /// "to" (perhaps with a qualifier); before that, within [`TOLL_WINDOW`] and past
    /// no other figure, an event word beside a total's noun ("toll", "number of").
    fn toll(
        &self,
        m: &Mention,
        before: &[Mention],
        led_in: Option<usize>,
    ) -> Option<(Kind, usize, usize)> {
        let lead = led_in.or_else(|| self.verb_before_total(m.first).then_some(m.first))?;
        // "in the two northern provinces" stands between, but counts no one.
        let figure_between = |from: usize| {
            before
                .iter()
                .any(|o| o.first >= from && !self.counts_things(o))
        };
        self.matches
            .iter()
            .filter_map(|k| match k.cat {
                Cat::Kind(kind) if k.end <= lead && !figure_between(k.end) => Some((kind, k)),
                _ => None,
            })
            .filter(|(_, k)| self.gap(k.end, lead) <= TOLL_WINDOW)
            .filter(|(_, k)| {
                self.matches.iter().any(|t| {
                    t.cat == Cat::Toll
                        && ((t.start >= k.start && t.start < k.end.max(k.start + 1) + 1)
                            || (t.end <= k.start
                                && self.gap(t.end, k.start) <= TOLL_NOUN_TO_EVENT
                                && !before.iter().any(|o| o.first >= t.end && o.first < k.start)))
                })
            })
            .max_by_key(|(_, k)| k.end)
            .map(|(kind, k)| (kind, k.start, k.end))
    }

    /// Where the words that lead figure `m` in as a new value begin: a verb of
    /// change or "to", perhaps with a qualifier ("risen to more than 40").
    fn led_in(&self, m: &Mention) -> Option<usize> {
        let lead_cat = |c: &Cat| {
            matches!(
                c,
                Cat::Reaches | Cat::Exceeds | Cat::TollTo | Cat::QualBefore(_) | Cat::Skip
            )
        };
        let mut lead = m.first;
        let mut led = false;
        while lead > 0 && m.first - lead < 4 {
            let Some(x) = self.covering(lead - 1, lead_cat) else {
                break;
            };
            led |= matches!(x.cat, Cat::Reaches | Cat::Exceeds | Cat::TollTo);
            lead = x.start.min(lead - 1);
        }
        led.then_some(lead)
    }

    /// "بلغ عدد الوفيات بين الحجاج هذا العام 1081", "تجاوز عدد القتلى الـ200":
    /// the verb of change before the total's noun, the value after them.
    fn verb_before_total(&self, figure: usize) -> bool {
        let totals = self.totals_after_verb.get_or_init(|| {
            let verbs = self
                .matches
                .iter()
                .filter(|v| matches!(v.cat, Cat::Reaches | Cat::Exceeds));
            verbs
                .flat_map(|v| {
                    self.matches
                        .iter()
                        .filter(move |t| {
                            t.cat == Cat::Toll && t.start >= v.end && t.start <= v.end + 1
                        })
                        .map(|t| t.end)
                })
                .collect()
        });
        totals
            .iter()
            .any(|&end| end < figure && self.gap(end, figure) <= TOLL_WINDOW)
    }

    fn is_word(&self, i: usize, words: &[&str]) -> bool {
        self.tokens
            .get(i)
            .is_some_and(|t| words.contains(&t.text.as_str()))
    }
}

/// Words that introduce a place: "in", "في", "в".
const PLACE_PREPOSITIONS: &[&str] = &[
    "in",
    "at",
    "near",
    "across",
    "throughout",
    "city",
    "town",
    "في",
    "قرب",
    "داخل",
    "وفي",
    "مدينة",
    "مدينه",
    "بمدينه",
    "مدينه",
    "ففي",
    "outskirts",
    "نواحي",
    "ضواحي",
    "в",
    "во",
    "на",
    "под",
    "около",
    "город",
    "городе",
    "города",
];

/// "Where" opening a relative clause after a place: the figures in it are there.
const WHERE: &[&str] = &["where", "حيث", "где"];
/// "Which" after "in" opening the same clause: "in which", "в котором".
const WHICH: &[&str] = &["which", "котором", "которой", "которых"];
/// "In it" closing an Arabic relative's verb: "التي سقط فيها".
const IN_IT: &[&str] = &["فيها", "فيه", "بها", "به"];

/// Words between a preposition and a place that narrow the place: directions
/// and "the capital". Folded, as tokens are.
const PLACE_QUALIFIERS: &[&str] = &[
    "north",
    "south",
    "east",
    "west",
    "northern",
    "southern",
    "eastern",
    "western",
    "central",
    "northeastern",
    "northwestern",
    "southeastern",
    "southwestern",
    "capital",
    "شمال",
    "جنوب",
    "شرق",
    "غرب",
    "وسط",
    "شمالي",
    "جنوبي",
    "شرقي",
    "غربي",
    "العاصمه",
    "севере",
    "юге",
    "востоке",
    "западе",
    "центре",
    "столице",
    "окрестностях",
    "пригороде",
    "северо-востоке",
    "северо-западе",
    "юго-востоке",
    "юго-западе",
];

/// Words that open another clause, which a figure's place does not reach into.
const CLAUSE_BREAKS: &[&str] = &[
    "that",
    "which",
    "who",
    "since",
    "after",
    "before",
    "when",
    "while",
    "where",
    "التي",
    "الذي",
    "الذين",
    "اللذين",
    "منذ",
    "بعد",
    "قبل",
    "حيث",
    "عندما",
    "который",
    "которые",
    "которая",
    "которых",
    "после",
    "когда",
    "где",
];

/// Joiners between a number and what it counts: "7 من أفراد الشرطة", "8 of the".
/// Folded, as tokens are: "أصل" is "اصل".
const OF: &[&str] = &["من", "اصل", "بين", "of", "the", "из", "среди"];

/// Finds the claims of a whole article text in the language of `lex`; `published`
/// anchors days named in the text.
pub fn claims(
    text: &str,
    lex: &Lexicon,
    keys: &SourceKeys,
    published: Option<chrono::NaiveDate>,
    countries: &[String],
) -> Vec<Claim> {
    let folded = Folded::new(text);
    let mut doc = Document::new(text, &folded, lex, keys, published, countries);
    for (s, e) in tokens::sentences(&folded.text) {
        doc.read_sentence(s, e);
    }
    doc.claims()
}

/// The people a number's own noun names.
struct People {
    who: Option<Who>,
    /// The token after the number and its noun.
    end: usize,
    /// The noun is an event word with the people after it ("15 погибших
    /// военнослужащих").
    before_event: bool,
}

/// The event word a number's claim takes, and how far it stands.
struct Event {
    distance: usize,
    kind: Kind,
    start: usize,
    end: usize,
}

/// An event word near a figure: distance, whether after the figure, its kind
/// (`None`: a release), start and end.
type EventAt = (usize, bool, Option<Kind>, usize, usize);

/// What the nearest event word of a number says.
enum Nearest {
    None,
    Event(Event),
    /// An event that undoes the count ("released").
    Released,
}

#[derive(Debug, Clone)]
struct Found {
    /// A part of the figure after it ("19 of the 225 dead"), which that figure
    /// must not take its people from.
    part: bool,
    /// A subset of the figure before it ("including 103 in Almaty").
    subset: bool,
    kind: Kind,
    who: Who,
    qualifier: Qualifier,
    location: Option<PlaceAt>,
    first: usize,
    last: usize,
}

/// A place named in the sentence: the gazetteer's name, if it has it, and the
/// tokens it covers.
#[derive(Debug, Clone, Copy, PartialEq)]
struct PlaceAt {
    name: Option<PlaceName>,
    /// Bytes of the first token that are a clitic, not the place ("ب").
    clitic: usize,
    start: usize,
    end: usize,
}

const QUOTES: &[&str] = &["\"", "'", "`", "(", ")", "[", "]", "«", "»", "-", "–", "—"];

impl<'a> Sentence<'a> {
    /// `capital` says whether the original text has a capital at a folded offset.
    fn new(text: &str, base: usize, lex: &'a Lexicon, capital: impl Fn(usize) -> bool) -> Self {
        let mut toks = tokens::tokenize(text, base);
        for t in toks.iter_mut().filter(|t| t.kind == TokenKind::Word) {
            t.capital = capital(t.start);
        }
        for i in 1..toks.len() {
            let (prev, next) = (
                toks[i - 1].text.as_str(),
                toks.get(i + 1).map(|t| t.text.as_str()),
            );
            // "(13)", "[25]": a reference mark, not a count.
            let bracketed = matches!(prev, "(" | "[") && matches!(next, Some(")" | "]"));
            // "Christopher Battin, 32," : an age after a name.
            let age = prev == ","
                && i >= 2
                && toks[i - 2].capital
                && toks[i - 2].kind == TokenKind::Word
                && next.is_none_or(|n| matches!(n, "," | "." | ")" | ";"));
            if toks[i].kind == TokenKind::Digits && (bracketed || age) {
                toks[i].glued = true;
            }
        }
        // A number inside quotes right after a word is part of a name: “خبر 24”.
        for i in 2..toks.len() {
            if toks[i].kind == TokenKind::Digits
                && toks[i - 1].kind == TokenKind::Word
                && toks.get(i + 1).is_some_and(|t| t.text == "\"")
                && (toks[i - 2].text == "\"" || (i >= 3 && toks[i - 3].text == "\""))
            {
                toks[i].glued = true;
            }
        }
        let mut asides = asides(&toks);
        let quote = |t: &Token| t.kind == TokenKind::Punct && QUOTES.contains(&t.text.as_str());
        let mut kept = 0;
        for i in 0..toks.len() {
            if !quote(&toks[i]) {
                asides[kept] = asides[i];
                kept += 1;
            }
        }
        asides.truncate(kept);
        toks.retain(|t| !quote(t));
        let matches = lex.scan(&toks);
        let mut covers = vec![Vec::new(); toks.len()];
        for (j, m) in matches.iter().enumerate() {
            for c in covers.iter_mut().take(m.end).skip(m.start) {
                c.push(j);
            }
        }
        Sentence {
            tokens: toks,
            asides,
            cues: std::cell::OnceCell::new(),
            totals_after_verb: std::cell::OnceCell::new(),
            places: std::cell::OnceCell::new(),
            matches,
            covers,
            lex,
        }
    }

    fn mentions(&self) -> Vec<Mention> {
        let mut found = numbers::mentions(&self.tokens, &self.lex.language, |i| {
            self.at(i, |c| matches!(c, Cat::Vague | Cat::VagueWeak))
                .map(|m| m.end - m.start)
        });
        for m in &self.matches {
            if m.cat == Cat::Dual && !found.iter().any(|f| f.first <= m.start && m.start < f.end) {
                found.push(Mention {
                    first: m.start,
                    end: m.end,
                    value: Some(2.0),
                });
            }
        }
        found.sort_by_key(|m| m.first);
        found
    }

    /// "В их числе ...", "The dead include ...", and "Four of them were
    /// children", "ثلاثة منهم": the sentence (whose figures are `mentions`) opens
    /// with parts of a figure before.
    fn opens_with_parts(&self, mentions: &[Mention]) -> bool {
        let first_number = mentions.first().filter(|m| m.first < 4).map(|m| m.end);
        self.matches
            .iter()
            .any(|m| m.cat == Cat::Including && (m.start <= 1 || first_number == Some(m.start)))
    }

    /// The day the sentence names, if any.
    fn when(&self) -> Option<super::lexicon::When> {
        self.matches.iter().find_map(|m| match m.cat {
            Cat::When(w) => Some(w),
            _ => None,
        })
    }

    /// The claim number `m` makes, if it makes one: the named rules below, in
    /// order: reject what is not a count, find what is counted, its people, its
    /// event, whether the event holds for it, who, the qualifier and the place.
    fn claim(
        &self,
        m: &Mention,
        before: &[Mention],
        after: &[Mention],
        previous: Option<&Found>,
    ) -> Option<Found> {
        if self.not_a_count(m) {
            return None;
        }
        let noun = self.counted_noun(m.end);
        if self.counts_things_at(m.end, noun) {
            return None;
        }
        // "19 of the 225 dead were police officers", "19 из 225 погибших": a part of
        // the figure after it, with that figure's event; who the part are may
        // follow the whole.
        if noun > m.end {
            if let Some((whole, rest)) = after.split_first().filter(|(w, _)| w.first == noun) {
                return self.partitive(m, whole, before, rest, previous);
            }
        }
        let people = self.people(m, noun);
        let led_in = self.led_in(m);
        let toll = m.value.and_then(|_| self.toll(m, before, led_in));
        // A year after a total with no verb of change before it is a year:
        // "ارتفاع عدد الوفيات في الحج 2024".
        let led = toll.is_some() && led_in.is_some();
        if self.is_year(m, &people, led) {
            return None;
        }
        let nearest = match self.nearest_event(m, before, after, people.end) {
            Nearest::Released => return None,
            Nearest::Event(e) => Some(e),
            Nearest::None => None,
        };
        let nearest = toll
            .map(|(kind, start, end)| Event {
                distance: 0,
                kind,
                start,
                end,
            })
            .or(nearest);
        // A listed figure or a subset ("including 103 in Almaty") takes its event
        // from the figure before, however far that one's event word stands.
        // An event word too far for a bare number ("120 وفاة بإقليم الحوز، و45
        // بإقليم تارودانت") gives way to the list the number is an item of.
        let subset = self.after_including(m) && previous.is_some();
        let list_item = || self.listed_event(m, people.end, previous);
        // "بينهم 8 أطفال، وإصابة 20", "up from 48, after more of the injured died":
        // a subset's own event stands in its clause, not past a comma or "and".
        let next_clause = |e: &Event| {
            e.start >= people.end
                && ((people.end..e.start).any(|i| self.is_word(i, &[",", "،"]))
                    || self.conjoined(e.start, people.end))
        };
        let (event, listed) = match nearest {
            Some(e) if subset && next_clause(&e) => list_item().map_or((e, subset), |l| (l, true)),
            Some(e) if e.distance > BARE_WINDOW => list_item().map_or((e, subset), |l| (l, true)),
            Some(e) => (e, subset),
            None => (list_item()?, true),
        };
        if !self.event_holds(m, &event, people.who, listed) {
            return None;
        }
        let who = self.who_for(event.kind, people.who, previous)?;
        let (qualifier, first, last) = self.qualifier(m, before, people.end, &event);
        Some(Found {
            part: false,
            subset,
            kind: event.kind,
            who,
            qualifier,
            location: self.place(m, before, after, people.end),
            first,
            last,
        })
    }

    /// Numbers that count no one: parts of names, fractions, money, percentages,
    /// durations, ages, dates and times.
    fn not_a_count(&self, m: &Mention) -> bool {
        if self.tokens[m.first].glued || m.value.is_some_and(|v| v.fract() != 0.0 || v <= 0.0) {
            return true;
        }
        let next = m.end;
        let is = |i: usize, pred: &dyn Fn(&Cat) -> bool| self.covering(i, pred).is_some();
        let unit = |c: &Cat| matches!(c, Cat::Money | Cat::Time | Cat::Month);
        let clock = |a: usize, b: usize| {
            self.tokens.get(a).is_some_and(|t| t.text == ":")
                && self
                    .tokens
                    .get(b)
                    .is_some_and(|t| t.kind == TokenKind::Digits)
        };
        // "هذا العام 1081", "в этом году 50": "this year" names no year.
        // "ما مجموعه 676": "its total" folds to "مجموعة", a group's number.
        let this_year =
            m.first >= 2 && self.is_word(m.first - 2, &["هذا", "this", "этом", "этот", "ما"]);
        let dated = is(next, &unit)
            || (m.first > 0
                && !this_year
                && is(m.first - 1, &|c| {
                    matches!(c, Cat::Month | Cat::Money | Cat::NotBefore)
                }))
            || (m.first >= 2
                && self.tokens[m.first - 1].text == "."
                && is(m.first - 2, &|c| *c == Cat::Month))
            || clock(next, next + 1)
            || (m.first >= 2 && clock(m.first - 1, m.first - 2))
            || self.tokens.get(next).is_some_and(|t| t.text == "%")
            // "школа №175", "No. 5", and "ни одного человека" (not a single one).
            || (m.first > 0 && self.is_word(m.first - 1, &["№", "#", "ни"]))
            || (m.first > 0 && self.tokens[m.first - 1].text == "$");
        // "Red Dead Redemption 2", "Windows 11": a number right after a capitalised
        // word inside a sentence ends a name, but not after "in" ("в Нише — 37").
        // English names take number words too ("World War Two"); after a Russian
        // place, "со стороны Армении десять" is a count.
        let name_like = self.tokens[m.first].kind == TokenKind::Digits || self.lex.language == "en";
        let named = m.first > 1 && name_like && {
            let prev = &self.tokens[m.first - 1];
            prev.capital
                && prev.kind == TokenKind::Word
                && self.covering(m.first - 1, |c| *c != Cat::Skip).is_none()
                && !self.is_word(m.first - 2, PLACE_PREPOSITIONS)
        };
        dated || named
    }

    /// What is counted: the token after the number, perhaps after "of" ("8 of the").
    fn counted_noun(&self, next: usize) -> usize {
        let mut noun = next;
        for _ in 0..2 {
            if self.is_word(noun, OF) {
                noun += 1;
            }
        }
        noun
    }

    /// Whether the number counts things, not people ("12 vehicles", "500 уголовных
    /// дел", past one adjective).
    fn counts_things_at(&self, next: usize, noun: usize) -> bool {
        let not_counted = |i: usize| self.covering(i, |c| *c == Cat::NotCounted).is_some();
        let plain_word = |i: usize| {
            self.tokens
                .get(i)
                .is_some_and(|t| t.kind == TokenKind::Word)
                && self.covering(i, |_| true).is_none()
        };
        not_counted(noun) || not_counted(next) || (plain_word(noun) && not_counted(noun + 1))
    }

    /// Who the number counts, as its own noun says: right after it, past one
    /// adjective ("26 armed criminals"), or after an event word ("15 погибших
    /// военнослужащих").
    fn people(&self, m: &Mention, noun: usize) -> People {
        let is_who = |c: &Cat| matches!(c, Cat::Who(_));
        let adjective = self
            .tokens
            .get(noun)
            .is_some_and(|t| t.kind == TokenKind::Word)
            && self
                .covering(noun, |c| !matches!(c, Cat::Skip | Cat::SourceEnd))
                .is_none();
        let after_kind = self.at(noun, |c| matches!(c, Cat::Kind(_))).map(|k| k.end);
        let found = self
            .at(noun, is_who)
            .or_else(|| self.covering(m.first, is_who))
            .or_else(|| after_kind.and_then(|e| self.at(e, is_who)))
            .or_else(|| adjective.then(|| self.at(noun + 1, is_who)).flatten());
        People {
            who: found.and_then(|w| match w.cat {
                Cat::Who(w) => Some(w),
                _ => None,
            }),
            end: found.map_or(m.end, |w| w.end.max(m.end)),
            before_event: after_kind.is_some(),
        }
    }

    /// A year, unless written as a count ("2,012"), counting the event word after
    /// it ("2012 وفاة"), its people, or the new value of a total ("rose to 2059").
    fn is_year(&self, m: &Mention, people: &People, total: bool) -> bool {
        let t = &self.tokens[m.first];
        m.value.is_some_and(|v| (1900.0..=2100.0).contains(&v))
            && m.end == m.first + 1
            && t.kind == TokenKind::Digits
            && t.text.chars().all(char::is_numeric)
            && people.who.is_none()
            && !people.before_event
            && !total
    }

    /// The event word nearest the number in the sentence, not past another figure
    /// (but for those of an "including" aside), within [`KIND_WINDOW`].
    fn nearest_event(
        &self,
        m: &Mention,
        before: &[Mention],
        after: &[Mention],
        noun_end: usize,
    ) -> Nearest {
        let nearest = self.closest_event(m, before, after, noun_end);
        let nearest = self.event_of_counted(m, before, after, nearest);
        match nearest {
            None => Nearest::None,
            Some((_, _, None, ..)) => Nearest::Released,
            Some((distance, _, Some(kind), start, end)) => Nearest::Event(Event {
                distance,
                kind,
                start,
                end,
            }),
        }
    }

    /// The event word (or release) nearest the figure, before it or after its
    /// noun, within [`KIND_WINDOW`]: `(distance, after the figure, kind or None for
    /// a release, start, end)`.
    fn closest_event(
        &self,
        m: &Mention,
        before: &[Mention],
        after: &[Mention],
        noun_end: usize,
    ) -> Option<EventAt> {
        let one_after_noun = self.lex.language == "ar"
            && m.value == Some(1.0)
            && m.first > 0
            && self
                .covering(m.first - 1, |c| matches!(c, Cat::Who(_)))
                .is_some();
        self.matches
            .iter()
            .filter_map(|k| {
                // `None` marks an event that undoes the count ("released").
                // "واعتقال 201 متظاهر أطلق سراح 170 منهم": a release followed by
                // its own figure undoes that one, not this.
                let releases_next = || {
                    after
                        .first()
                        .is_some_and(|o| o.first >= k.end && o.first <= k.end + 2)
                };
                let kind = match k.cat {
                    Cat::Kind(kind) => Some(kind),
                    Cat::Released if k.start >= m.end && releases_next() => return None,
                    Cat::Released => None,
                    _ => return None,
                };
                let dist = if k.end <= m.first {
                    let blocked = before.iter().any(|o| o.first >= k.end);
                    // "مقتل شخص واحد": Arabic "one" stands after the noun it counts.
                    let to = if one_after_noun && k.end < m.first {
                        m.first - 1
                    } else {
                        m.first
                    };
                    self.gap(k.end, to) + if blocked { KIND_WINDOW } else { 0 }
                } else if k.start >= noun_end {
                    let joined = self.joined_subject(noun_end, after, k.start);
                    let blocked = after
                        .iter()
                        .any(|o| o.first < k.start && !self.after_including(o) && !joined);
                    let conj = usize::from(self.conjoined(k.start, noun_end));
                    self.gap(noun_end, k.start) + conj + if blocked { KIND_WINDOW } else { 0 }
                } else if k.start >= m.first && k.start < noun_end {
                    0
                } else {
                    return None;
                };
                (dist <= KIND_WINDOW).then_some((dist, k.start > m.first, kind, k.start, k.end))
            })
            // A release outweighs the count it undoes at equal distance; the longer
            // of two event words at one place wins ("إصابة خطيرة" over "إصابة").
            .min_by_key(|(d, after, kind, s, e)| {
                (*d, kind.is_some(), !*after, std::cmp::Reverse(e - s))
            })
    }

    /// When the nearest event word is what the figure counts, the event that
    /// befell them instead.
    fn event_of_counted(
        &self,
        m: &Mention,
        before: &[Mention],
        after: &[Mention],
        nearest: Option<EventAt>,
    ) -> Option<EventAt> {
        // "Four of the injured are in critical condition", "10 of the wounded died":
        // when the event word is what the number counts ("of the injured"), a later
        // one in its clause says what happened to them. Right after the number
        // ("four injured are in critical condition", "четверо раненых находятся в
        // тяжелом состоянии") only a state of the injured does: "12 died in
        // hospital" are dead, "150 شهيدا وجريحا" both.
        let counted_noun = self.counted_noun(m.end);
        let state_of_injured = |c: Kind, k: Kind| {
            c == Kind::Injured && matches!(k, Kind::Critical | Kind::Hospitalized)
        };
        // "Госпитализированы 12 пострадавших", "نقل إلى المستشفى 12 مصابا": a
        // state of the injured just before them says what happened to them.
        let state_before = || {
            self.matches.iter().find_map(|k| match k.cat {
                Cat::Kind(kind @ (Kind::Hospitalized | Kind::Critical))
                    if k.end <= m.first
                        && self.gap(k.end, m.first) <= BARE_WINDOW
                        && !before.iter().any(|o| o.first >= k.end) =>
                {
                    Some((0, false, Some(kind), k.start, k.end))
                }
                _ => None,
            })
        };
        nearest.map(|best| match best {
            (0, _, Some(counted), start, end) if start == counted_noun && start >= m.end => self
                .later_event(end, counted, after)
                .filter(|(_, kind, ..)| start > m.end || state_of_injured(counted, *kind))
                .map(|(d, kind, s, e)| (d, true, Some(kind), s, e))
                .or_else(|| (counted == Kind::Injured).then(state_before).flatten())
                .unwrap_or(best),
            other => other,
        })
    }

    /// Another event word after the one at `from` (a count's noun), within
    /// [`KIND_WINDOW`] and past no other figure or clause break.
    fn later_event(
        &self,
        from: usize,
        counted: Kind,
        after: &[Mention],
    ) -> Option<(usize, Kind, usize, usize)> {
        self.matches
            .iter()
            .filter_map(|k| match k.cat {
                Cat::Kind(kind) if kind != counted && k.start >= from => Some((kind, k)),
                _ => None,
            })
            .filter(|(_, k)| !after.iter().any(|o| o.first < k.start))
            .filter(|(_, k)| {
                !(from..k.start).any(|i| self.is_word(i, CLAUSE_BREAKS) || self.is_word(i, AND))
            })
            .map(|(kind, k)| (self.gap(from, k.start), kind, k.start, k.end))
            .filter(|(d, ..)| *d <= KIND_WINDOW)
            .min_by_key(|(d, ..)| *d)
    }

    /// "مقتل خمسة مدنيين وإصابة 30", "killing 30 and injuring 40": the event word
    /// at `at` is led by a conjunction (after `from`), which opens the next clause.
    fn conjoined(&self, at: usize, from: usize) -> bool {
        (self.lex.language == "ar" && self.tokens[at].text.starts_with('و'))
            || (at > from && self.is_word(at - 1, AND))
    }

    /// "Twelve miners and three rescuers were killed", "46 шахтеров и пять
    /// горноспасателей погибли", "12 عاملا و3 منقذين لقوا حتفهم": the next figure
    /// is joined by "and" right after this one's noun (ending at `noun_end`), and
    /// the event at `event` follows it with no other figure between: both the
    /// figures are its subject.
    fn joined_subject(&self, noun_end: usize, after: &[Mention], event: usize) -> bool {
        let Some(o) = after.first() else {
            return false;
        };
        let arabic_and = self.lex.language == "ar"
            && o.first == noun_end
            && self.tokens[o.first].text.starts_with('و');
        let and = o.first == noun_end + 1 && self.is_word(noun_end, &["and", "и", "و"]);
        (arabic_and || and) && after.get(1).is_none_or(|p| p.first > event)
    }

    /// "including 12 ...", "بينهم 12", and the breakdown after a colon: "51 died:
    /// 46 miners and five rescuers".
    fn after_including(&self, m: &Mention) -> bool {
        m.first > 0
            && (self
                .covering(m.first - 1, |c| *c == Cat::Including)
                .is_some()
                || (m.first > 1 && self.is_word(m.first - 1, &[":"])))
    }

    /// "164 died, 103 in Almaty and 21 in Kyzylorda", "five civilians and two
    /// officers died", "including 12 in intensive care": one event word for a list
    /// of figures; each item takes the event of the figure before it.
    fn listed_event(&self, m: &Mention, noun: usize, previous: Option<&Found>) -> Option<Event> {
        let prev = previous?;
        // "14 حاجا ماليزيا، و165 إندونيسيا": the item before may end in a noun the
        // lexicon does not know.
        let unknown = |i: usize| {
            self.tokens[i].kind == TokenKind::Word
                && self.covering(i, |c| !matches!(c, Cat::Place(_))).is_none()
        };
        // "42 عنصرا أمنيا و166 مدنيا": or in an adjective of who it counted.
        let who_word = |i: usize| self.covering(i, |c| matches!(c, Cat::Who(_))).is_some();
        let joined = prev.last < m.first
            && (prev.last + 1..m.first).all(|i| {
                self.is_word(i, &["و", "and", "и", ",", "،", "as", "well"])
                    || (i == prev.last + 1 && (unknown(i) || who_word(i)))
            });
        // "Four of them were children": a part named as such.
        let part = self.at(m.end, |c| *c == Cat::Including).is_some();
        (self.names_a_place(noun)
            || self.place_leads(m)
            || self.after_including(m)
            || part
            || joined)
            .then_some(Event {
                distance: 0,
                kind: prev.kind,
                start: m.first,
                end: m.first + 1,
            })
    }

    /// "в Нови-Саде — 58, в Нише — 37", "وفي البصرة 12": a list item whose place
    /// comes first, right after a comma or "and".
    fn place_leads(&self, m: &Mention) -> bool {
        let named = |i: usize| {
            self.tokens[i].capital
                || self.lex.language == "ar"
                || self.covering(i, |c| matches!(c, Cat::Place(_))).is_some()
        };
        if m.first < 3 || !named(m.first - 1) {
            return false;
        }
        (m.first.saturating_sub(4)..m.first - 1).any(|p| {
            self.names_a_place(p) && p > 0 && self.is_word(p - 1, &[",", "،", "и", "and", "و"])
        })
    }

    /// Whether the event found holds for this number: a weak amount ("several",
    /// "one") needs its noun, a bare number ("following 9") an event word close by,
    /// and a deployment a force ("2,500 troops"; "sent 12 letters" is none).
    fn event_holds(&self, m: &Mention, event: &Event, who: Option<Who>, listed: bool) -> bool {
        let weak =
            self.covering(m.first, |c| *c == Cat::VagueWeak).is_some() || m.value == Some(1.0);
        // "один ранен", "one died": a weak amount is a count when its event follows
        // it at once; "killing them in one" is not.
        let event_follows = event.distance == 0 && event.start >= m.end;
        // "وفاة واحدة", "شخص واحد": Arabic "one" follows the noun it counts.
        let after_its_noun = m.value == Some(1.0)
            && m.first > 0
            && self
                .covering(m.first - 1, |c| matches!(c, Cat::Kind(_) | Cat::Who(_)))
                .is_some();
        // "three in Basra and one in Al Muthanna": the last item of a list per place.
        let listed_one = listed
            && m.value == Some(1.0)
            && m.first > 0
            && self.is_word(m.first - 1, AND)
            && self.names_a_place(m.end);
        if who.is_none()
            && ((weak && !event_follows && !after_its_noun && !listed_one)
                || (event.distance > BARE_WINDOW && !listed))
        {
            return false;
        }
        event.kind != Kind::Deployed
            || matches!(who, Some(Who::Troops | Who::Security))
            || self.matches.iter().any(|x| x.cat == Cat::Who(Who::Troops))
    }

    /// Who is counted: the number's own noun, else the figure's before it, else
    /// people. A force deployed is troops (protesters or civilians are not
    /// deployed); troops counted otherwise are security forces.
    fn who_for(&self, kind: Kind, who: Option<Who>, previous: Option<&Found>) -> Option<Who> {
        let who = who.or(previous.map(|p| p.who)).unwrap_or(Who::People);
        match (kind, who) {
            (Kind::Deployed, Who::Protesters | Who::Civilians) => None,
            (Kind::Deployed, _) => Some(Who::Troops),
            (_, Who::Troops) => Some(Who::Security),
            (_, w) => Some(w),
        }
    }

    /// The qualifier and the span of the claim: a qualifier right before the number
    /// ("at least 8", "نحو 400"; after a verb of growth "до" is "to"), after it ("8
    /// at least", "12 or more"), or a verb that puts it above a bar ("exceeded 200").
    fn qualifier(
        &self,
        m: &Mention,
        before: &[Mention],
        noun_end: usize,
        event: &Event,
    ) -> (Qualifier, usize, usize) {
        let first = m.first.min(event.start);
        let last = (noun_end.max(event.end)).saturating_sub(1);
        if m.value.is_none() {
            return (Qualifier::Vague, first, last);
        }
        let leading = self
            .matches
            .iter()
            .filter(|q| {
                q.end == m.first
                    || (m.first > 0 && q.end == m.first - 1 && self.is_word(m.first - 1, OF))
            })
            .filter(|q| {
                q.start == 0 || self.covering(q.start - 1, |c| *c == Cat::Reaches).is_none()
            })
            .find_map(|q| match q.cat {
                Cat::QualBefore(x) => Some((x, q.start)),
                _ => None,
            });
        if let Some((q, start)) = leading {
            return (q, first.min(start), last);
        }
        // "58 حاجا أردنيا على الأقل": an adjective may follow the noun.
        let adjective = noun_end > m.end
            && self.tokens.get(noun_end).is_some_and(|t| {
                t.kind == TokenKind::Word && self.covering(noun_end, |_| true).is_none()
            });
        let trailing = self.matches.iter().find_map(|q| match q.cat {
            // "676 قتيلا على الأقل": after the event word that follows the number.
            Cat::QualAfter(x)
                if q.start == m.end
                    || q.start == noun_end
                    || (adjective && q.start == noun_end + 1)
                    || self
                        .at(m.end, |c| matches!(c, Cat::Kind(_)))
                        .is_some_and(|k| q.start == k.end) =>
            {
                Some((x, q.end))
            }
            _ => None,
        });
        if let Some((q, end)) = trailing {
            return (q, first, last.max(end - 1));
        }
        // "تجاوز عدد المعتقلين 12 ألفا", "the toll exceeded 200", and with the
        // total between: "تجاوز عدد القتلى في المدن الساحلية الـ350".
        let exceeds = self.matches.iter().find(|q| {
            let total_between = || {
                self.at(q.end, |c| *c == Cat::Toll).is_some()
                    && self.gap(q.end, m.first) <= TOLL_WINDOW
            };
            q.cat == Cat::Exceeds
                && q.end <= m.first
                && (m.first - q.end <= 3 || total_between())
                && !before.iter().any(|o| o.first >= q.end)
        });
        match exceeds {
            Some(q) => (Qualifier::MoreThan, first.min(q.start), last),
            None => (Qualifier::Exact, first, last),
        }
    }

    /// Where: a place introduced as one ("in Almaty", "بألماتي", "в Алматы"), in
    /// the figure's own clause; a city named elsewhere in the sentence ("riots that
    /// Almaty saw") is not the figure's place.
    fn place(
        &self,
        m: &Mention,
        before: &[Mention],
        after: &[Mention],
        noun_end: usize,
    ) -> Option<PlaceAt> {
        self.places()
            .iter()
            .copied()
            .filter_map(|p| {
                let (gap, between, range) = if p.start >= noun_end {
                    // "..., تليها ولاية تارودانت، التي سقط فيها 452": a place that
                    // opens its own "where" is that clause's, not the figure's before.
                    let own_clause = self.where_clause(p.end).is_some();
                    (
                        self.gap(noun_end, p.start),
                        own_clause || after.iter().any(|o| o.first < p.start),
                        noun_end..p.start,
                    )
                } else if p.end <= m.first {
                    // "the Kathmandu Valley, where 1,441 have died": the clause
                    // "where" opens is the place's own.
                    let from = self
                        .where_clause(p.end)
                        .filter(|&f| f <= m.first)
                        .unwrap_or(p.end);
                    (
                        self.gap(from, m.first),
                        before.iter().any(|o| o.first >= p.end),
                        from..m.first,
                    )
                } else {
                    (0, false, 0..0)
                };
                // "detained since riots that began in Zhanaozen": another clause.
                let between = between || range.into_iter().any(|i| self.is_word(i, CLAUSE_BREAKS));
                (!between && gap <= PLACE_WINDOW).then_some((gap, p))
            })
            .min_by_key(|(d, _)| *d)
            .map(|(_, n)| n)
            .or_else(|| self.fronted_place(m))
    }

    /// A place the sentence opens with, before any figure, that sets the
    /// scene for all of it: "In Baghdad, the commission said eight were killed",
    /// "ففي بغداد أعلنت المفوضية عن مقتل ثمانية", "В Кемерове спасатели нашли 37 тел".
    fn fronted_place(&self, m: &Mention) -> Option<PlaceAt> {
        // "В России ... в дагестанских Дербенте ... погибли 20": of two scenes,
        // the sentence does not say which is the figure's.
        let mut before = self.places().iter().copied().filter(|p| p.end <= m.first);
        let p = before.next().filter(|_| before.next().is_none())?;
        let opening = (0..p.start).all(|i| {
            self.is_word(i, PLACE_PREPOSITIONS)
                || self.is_word(i, PLACE_QUALIFIERS)
                || self.is_word(i, &["the", "and", "و", "и", "а"])
                || self.tokens[i].kind != TokenKind::Word
        });
        (opening && p.start <= 3 && p.end <= m.first).then_some(p)
    }

    /// The places the sentence writes as where something happened: names of the
    /// gazetteer ("в Харькове", "بحلب"), and names a noun for a kind of place
    /// makes places though the gazetteer lacks them ("بإقليم الحوز", "in Wasit
    /// province", "в Таловском районе", "в селе Куженкино").
    fn places(&self) -> &[PlaceAt] {
        self.places.get_or_init(|| self.find_places())
    }

    fn find_places(&self) -> Vec<PlaceAt> {
        let mut out: Vec<PlaceAt> = self
            .matches
            .iter()
            .filter_map(|p| match p.cat {
                Cat::Place(name)
                    if self.introduces_place(p.start, name)
                        || self.where_clause(p.end).is_some() =>
                {
                    Some(PlaceAt {
                        name: Some(name),
                        clitic: usize::from(name.clitic),
                        start: p.start,
                        end: p.end,
                    })
                }
                _ => None,
            })
            .collect();
        for k in self.matches.iter().filter(|k| k.cat == Cat::PlaceNoun) {
            if let Some(at) = self.named_by_place_noun(k.start, k.end) {
                if !out.iter().any(|o| o.start < at.end && at.start < o.end) {
                    out.push(at);
                }
            }
        }
        out
    }

    /// The name of a place a noun for its kind makes (`at` with no gazetteer
    /// name), folded and without the noun, a Russian ending cut: "listvyazhnaya"
    /// of "the Listvyazhnaya mine", "листвяжн" of "шахте «Листвяжная»".
    fn site_name(&self, at: &PlaceAt) -> Option<String> {
        let words: Vec<&str> = (at.start..at.end)
            .filter(|&i| self.covering(i, |c| *c == Cat::PlaceNoun).is_none())
            .map(|i| self.tokens[i].text.as_str())
            .collect();
        let mut name = words.join(" ");
        if self.lex.language == "ru" && name.chars().count() > 5 {
            let keep = name.chars().count() - 2;
            name = name.chars().take(keep).collect();
        }
        (!name.is_empty()).then_some(name)
    }

    /// The place a noun for a kind of place at `start..end` names with the name
    /// beside it, if the sentence writes it as where something happened.
    fn named_by_place_noun(&self, start: usize, end: usize) -> Option<PlaceAt> {
        let name_word = |i: usize| {
            self.tokens.get(i).is_some_and(|t| {
                t.kind == TokenKind::Word
                    && (t.capital || self.lex.language == "ar")
                    && self.covering(i, |c| !matches!(c, Cat::Place(_))).is_none()
            })
        };
        let after_preposition = |i: usize| self.after_place_preposition(i);
        let span = |s: usize, e: usize| PlaceAt {
            name: None,
            clitic: 0,
            start: s,
            end: e,
        };
        if self.lex.language == "ar" {
            // "بإقليم الحوز", "في محافظة واسط".
            let t = &self.tokens[start].text;
            let bi = ["وب", "ب"]
                .iter()
                .find(|c| t.starts_with(*c) && self.lex.forms(t).len() > 1)
                .map_or(0, |c| c.len());
            let written =
                bi > 0 || after_preposition(start) || self.where_clause(end + 1).is_some();
            return (written && name_word(end)).then(|| PlaceAt {
                clitic: bi,
                ..span(start, end + 1)
            });
        }
        // "in the Basra province", "в Таловском районе", "в кемеровском ТЦ": the
        // name before (in Russian, an adjective of a town is one, lower-case).
        let adjective = |i: usize| self.lex.language == "ru" && self.place_adjective(i);
        let mut first = start;
        while first > 0 && (name_word(first - 1) || adjective(first - 1)) && start - first < 3 {
            first -= 1;
        }
        if first < start && (after_preposition(first) || self.where_clause(end).is_some()) {
            return Some(span(first, end));
        }
        // "the city of Derna", "в селе Куженкино", "в шахте «Листвяжная»": the
        // name after (quotes are no tokens).
        (name_word(end) && (after_preposition(start) || self.where_clause(end + 1).is_some()))
            .then(|| span(start, end + 1))
    }

    /// The claim of `part` in "part of (the) whole ...": the whole's event, place
    /// and people, unless a who-noun right after the whole names the part's own
    /// ("... were police officers", "... من أفراد الشرطة", "... были полицейскими").
    fn partitive(
        &self,
        part: &Mention,
        whole: &Mention,
        before: &[Mention],
        after: &[Mention],
        previous: Option<&Found>,
    ) -> Option<Found> {
        let mut with_part = before.to_vec();
        with_part.push(part.clone());
        let found = self.claim(whole, &with_part, after, previous)?;
        let own = self
            .matches
            .iter()
            .filter(|x| {
                matches!(x.cat, Cat::Who(_)) && x.start > found.last && x.start - found.last <= 4
            })
            .filter(|x| !after.iter().any(|o| o.first < x.start))
            .min_by_key(|x| x.start);
        let who = match own.map(|x| &x.cat) {
            Some(Cat::Who(Who::Troops)) if found.kind != Kind::Deployed => Who::Security,
            Some(Cat::Who(w)) => *w,
            _ => found.who,
        };
        // Weak amounts ("several of the 225") count only with a noun of their own.
        let weak = self
            .covering(part.first, |c| *c == Cat::VagueWeak)
            .is_some()
            || part.value == Some(1.0);
        if weak && own.is_none() {
            return None;
        }
        // "at least 19 of the 225".
        let before_part = self.matches.iter().find_map(|q| match q.cat {
            Cat::QualBefore(x) if q.end == part.first && part.value.is_some() => Some((x, q.start)),
            _ => None,
        });
        let qualifier = match (part.value, before_part) {
            (None, _) => Qualifier::Vague,
            (Some(_), Some((q, _))) => q,
            (Some(_), None) => Qualifier::Exact,
        };
        Some(Found {
            part: true,
            subset: false,
            kind: found.kind,
            who,
            qualifier,
            location: found.location,
            first: before_part.map_or(part.first, |(_, start)| start),
            last: own.map_or(found.last, |x| x.end - 1).max(found.last),
        })
    }
}
