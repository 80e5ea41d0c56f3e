//! The commands on local documents and single pages: `extract` (claims in files
//! or stdin) and `article` (a page's main text).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use claimwire::document;
use claimwire::extract::Extractor;
use claimwire::fetch::page;

pub fn article(pages: &[String], jsonl: bool) -> Result<i32> {
    let client = claimwire::fetch::HttpClient::new(&Default::default())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut failed = 0;
    for arg in pages {
        let is_url = arg.starts_with("http://") || arg.starts_with("https://");
        let fetched = if is_url {
            url::Url::parse(arg)
                .map_err(anyhow::Error::from)
                .and_then(|u| {
                    runtime
                        .block_on(client.get(&u))
                        .map_err(anyhow::Error::from)
                })
                .map(|b| (b.bytes, b.content_type))
        } else {
            document::read_bytes(Path::new(arg))
                .map_err(anyhow::Error::from)
                .map(|b| (b, None))
        };
        let (bytes, content_type) = match fetched {
            Ok(x) => x,
            Err(e) => {
                eprintln!("claimwire: {arg}: {e:#}");
                failed += 1;
                continue;
            }
        };
        let page = page::main_text(&bytes, content_type.as_deref());
        let language = page
            .language
            .clone()
            .or_else(|| claimwire::extract::lang::detect(&page.text, None));
        let doc = if is_url {
            arg.clone()
        } else {
            document::doc_id(Path::new(arg))
        };
        let published = page.published.map(|d| d.to_rfc3339());
        if jsonl {
            let v = serde_json::json!({
                "doc": doc,
                "title": page.title,
                "published": published,
                "language": language,
                "text": page.text,
            });
            serde_json::to_writer(&mut out, &v)?;
            writeln!(out)?;
        } else {
            writeln!(
                out,
                "== {doc}\ntitle: {}\npublished: {}\nlanguage: {}\n\n{}\n",
                page.title.as_deref().unwrap_or("-"),
                published.as_deref().unwrap_or("-"),
                language.as_deref().unwrap_or("-"),
                page.text
            )?;
        }
    }
    out.flush()?;
    Ok(if failed > 0 { 1 } else { 0 })
}

pub fn extract(
    files: &[PathBuf],
    jsonl: bool,
    language: Option<&str>,
    date: Option<chrono::NaiveDate>,
) -> Result<i32> {
    let extractor = Extractor::new()?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut failed = 0;
    for path in files {
        let text = match document::read_text(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("claimwire: {e:#}");
                failed += 1;
                continue;
            }
        };
        let found = extractor.extract(&text, language, date);
        let doc = document::doc_id(path);
        for c in &found.claims {
            if jsonl {
                let mut v = serde_json::to_value(c)?;
                v["doc"] = serde_json::Value::String(doc.clone());
                v["language"] = serde_json::json!(found.language);
                serde_json::to_writer(&mut out, &v)?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "{doc}\t{}\t{}\t{}\t{}\t{}\t{}",
                    c.kind,
                    c.who,
                    c.qualifier.show(c.value),
                    c.source.as_deref().unwrap_or("-"),
                    c.location.as_deref().unwrap_or("-"),
                    c.evidence
                )?;
            }
        }
    }
    out.flush()?;
    Ok(if failed > 0 { 1 } else { 0 })
}
