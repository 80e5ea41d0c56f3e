//! Extract stage: the language of each new article and the claims it makes.
//!
//! Input: `NewArticle`s. Output: `Record::Article`s for the store. Runs on several
//! worker threads that share one receiver (CPU-bound work). Failure policy: an
//! article in a language without a lexicon is stored with no claims.

pub mod claims;
pub mod gazetteer;
pub mod lang;
pub mod lexicon;
pub mod numbers;
pub mod tokens;

use std::sync::Arc;

pub use crate::config::Place;
pub use lexicon::{Lexicon, LexiconError, SourceKeys};

use crate::model::{Claim, ExtractedArticle, NewArticle, Record};
use crate::stats::StageStats;

/// Stored with every claim, so that claims can be re-extracted when it changes.
pub const EXTRACTOR_VERSION: &str = concat!("claimwire-", env!("CARGO_PKG_VERSION"), "/1");

/// Reads claims in every language it has a lexicon for.
#[derive(Debug, Clone)]
pub struct Extractor {
    lexicons: Arc<Vec<Lexicon>>,
    keys: Arc<SourceKeys>,
    /// Where the event is: an ambiguous place name means the one in these.
    countries: Arc<Vec<String>>,
}

/// What extraction finds in one text.
#[derive(Debug, Clone, PartialEq)]
pub struct Extraction {
    pub language: Option<String>,
    pub claims: Vec<Claim>,
}

impl Extractor {
    /// The extractor with the lexicons shipped in the binary.
    pub fn new() -> Result<Self, LexiconError> {
        Ok(Extractor {
            lexicons: Arc::new(lexicon::shipped()?),
            keys: Arc::new(SourceKeys::shipped()?),
            countries: Arc::default(),
        })
    }

    /// This extractor for an event in `countries`: their places win where names
    /// are shared ("Tripoli" in a pipeline for Libya).
    pub fn in_countries(&self, countries: &[String]) -> Extractor {
        Extractor {
            countries: Arc::new(countries.to_vec()),
            ..self.clone()
        }
    }

    /// This extractor with more places in its gazetteer.
    pub fn with_places(&self, places: &[Place]) -> Extractor {
        let lexicons = self
            .lexicons
            .iter()
            .map(|l| {
                let mut l = l.clone();
                l.add_places(places);
                l
            })
            .collect();
        Extractor {
            lexicons: Arc::new(lexicons),
            ..self.clone()
        }
    }

    /// Claims in `text`; `published` is the article's date, which days named in the
    /// text ("on Thursday", "أمس") are resolved against.
    pub fn extract(
        &self,
        text: &str,
        language_hint: Option<&str>,
        published: Option<chrono::NaiveDate>,
    ) -> Extraction {
        let language = lang::detect(text, language_hint);
        let claims = language
            .as_deref()
            .and_then(|l| self.lexicons.iter().find(|x| x.language == l))
            .map(|lex| claims::claims(text, lex, &self.keys, published, &self.countries))
            .unwrap_or_default();
        Extraction { language, claims }
    }
}

/// The extractor of each pipeline: the shipped one, or one with the pipeline's own
/// places and countries (those it lists, else those its keywords name).
#[derive(Debug, Clone)]
pub struct Extractors {
    shipped: Extractor,
    by_pipeline: Arc<std::collections::HashMap<String, Extractor>>,
}

impl Extractors {
    pub fn new(shipped: Extractor, pipelines: &[crate::config::Pipeline]) -> Self {
        let by_pipeline = pipelines
            .iter()
            .filter_map(|p| {
                let countries = if p.countries.is_empty() {
                    countries_in_keywords(&p.keywords)
                } else {
                    p.countries.clone()
                };
                (!p.places.is_empty() || !countries.is_empty()).then(|| {
                    let own = shipped.with_places(&p.places).in_countries(&countries);
                    (p.name.clone(), own)
                })
            })
            .collect();
        Extractors {
            shipped,
            by_pipeline: Arc::new(by_pipeline),
        }
    }

    pub fn for_pipeline(&self, name: &str) -> &Extractor {
        self.by_pipeline.get(name).unwrap_or(&self.shipped)
    }
}

/// The countries a pipeline's keywords name ("Libya", "ليبيا", "Ливия", "Libyan"),
/// for a pipeline that does not list its `countries`.
fn countries_in_keywords(keywords: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in keywords {
        let found = ["ar", "en", "ru"]
            .iter()
            .filter_map(|l| gazetteer::Gazetteer::world(l))
            .find_map(|g| g.country_in(k));
        if let Some(cc) = found.filter(|cc| !out.contains(cc)) {
            out.push(cc);
        }
    }
    out
}

/// The stage loop for one worker; run it on a blocking thread, several at once.
pub fn run(
    new: async_channel::Receiver<NewArticle>,
    records: async_channel::Sender<Record>,
    mut extractors: tokio::sync::watch::Receiver<Extractors>,
    stats: Arc<StageStats>,
) {
    let mut current = extractors.borrow_and_update().clone();
    while let Ok(article) = new.recv_blocking() {
        stats.input();
        // A reload that changed a pipeline's places or countries reaches the
        // next article.
        if extractors.has_changed().unwrap_or(false) {
            current = extractors.borrow_and_update().clone();
        }
        let extractors = &current;
        let a = &article.article;
        // Spans point into the stored text, so only the body is read.
        let found = extractors.for_pipeline(&a.feed.pipeline).extract(
            &a.text,
            a.feed.language.as_deref(),
            a.published.map(|p| p.date_naive()),
        );
        stats.output();
        let record = Record::Article(Box::new(ExtractedArticle {
            new: article,
            language: found.language,
            claims: found.claims,
        }));
        if records.send_blocking(record).is_err() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_pipelines_countries_are_read_from_its_keywords() {
        let keywords: Vec<String> = ["Libya floods", "ليبيا", "Дерна", "Ливия", "Turkish"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(super::countries_in_keywords(&keywords), ["LY", "TR"]);
    }
}
