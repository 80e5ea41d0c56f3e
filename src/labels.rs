//! The words claimwire files things under: what is counted ([`Kind`]), who
//! ([`Who`]), how a figure is hedged ([`Qualifier`]), where its place came from
//! ([`Locus`]) and why a fetch failed ([`FailureClass`]). Each is an enum with one
//! lower-case label, the one the database, the CLI, the API and pipeline files
//! use. At the very bottom: config reads them and model carries them.

use serde::Serialize;

macro_rules! label_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($label => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

label_enum!(
    /// Why a poll or a page fetch failed, as the feed row keeps it.
    FailureClass {
        Dns => "dns",
        Connect => "connect",
        Tls => "tls",
        Timeout => "timeout",
        HttpStatus => "http_status",
        Redirect => "redirect",
        TooLarge => "too_large",
        Decode => "decode",
        File => "file",
        NotAFeed => "not_a_feed",
        Parse => "parse",
        Blocked => "blocked",
        Other => "other",
    }
);

label_enum!(
    /// What happened to the people counted.
    Kind {
        Killed => "killed",
        Injured => "injured",
        Hospitalized => "hospitalized",
        Critical => "critical",
        Arrested => "arrested",
        Deployed => "deployed",
        Missing => "missing",
        Displaced => "displaced",
        Kidnapped => "kidnapped",
        Evacuated => "evacuated",
    }
);

label_enum!(
    /// What gave a claim its place: the figure's own clause ("12 killed in
    /// Tripoli"), or the lead of a report about one place.
    Locus {
        Clause => "clause",
        Lead => "lead",
    }
);

label_enum!(
    /// Who was counted.
    Who {
        Security => "security",
        Protesters => "protesters",
        Civilians => "civilians",
        Troops => "troops",
        People => "people",
    }
);

label_enum!(
    /// How the figure is hedged.
    Qualifier {
        Exact => "exact",
        Approx => "approx",
        AtLeast => "at_least",
        MoreThan => "more_than",
        AtMost => "at_most",
        LessThan => "less_than",
        Vague => "vague",
    }
);

impl Qualifier {
    /// The value with its hedge, as a reader writes it: "≥ 8", "> 100", "~6,000".
    pub fn show(self, value: Option<i64>) -> String {
        let Some(v) = value else {
            return "(vague)".into();
        };
        let v = grouped(v);
        match self {
            Qualifier::Exact | Qualifier::Vague => v,
            Qualifier::Approx => format!("~{v}"),
            Qualifier::AtLeast => format!("≥ {v}"),
            Qualifier::MoreThan => format!("> {v}"),
            Qualifier::AtMost => format!("≤ {v}"),
            Qualifier::LessThan => format!("< {v}"),
        }
    }
}

/// `n` with its thousands grouped: 6000 is "6,000".
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    out
}
